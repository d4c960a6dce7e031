/**
 * `npm run docs:config`: rewrites the README's configuration table from the one list of variables in
 * worker/config.ts (between the config-table markers).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../worker/config';
import { REPO_ROOT } from './stack/binaries';

const rows = ['| Variable | Default | Meaning |', '| --- | --- | --- |'];
for (const [name, spec] of Object.entries(CONFIG_VARIABLES)) {
  const def =
    'secret' in spec && spec.secret && spec.default
      ? '(dev value)'
      : spec.default === ''
        ? '(empty)'
        : `\`${spec.default}\``;
  rows.push(`| \`${name}\` | ${def} | ${spec.doc} |`);
}
const readme = join(REPO_ROOT, 'README.md');
const text = readFileSync(readme, 'utf8');
const begin = text.indexOf('<!-- config-table');
const end = text.indexOf('<!-- /config-table -->');
if (begin < 0 || end < 0) throw new Error('README.md has no config-table markers');
const head = text.slice(0, text.indexOf('\n', begin) + 1);
writeFileSync(readme, `${head}${rows.join('\n')}\n${text.slice(end)}`);
console.log(`README.md: ${rows.length - 2} variables`);
