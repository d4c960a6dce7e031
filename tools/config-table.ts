/** Prints the README's configuration table from the one list of variables in worker/config.ts. */
import { CONFIG_VARIABLES } from '../worker/config';

console.log('| Variable | Default | Meaning |\n| --- | --- | --- |');
for (const [name, spec] of Object.entries(CONFIG_VARIABLES)) {
  const def =
    'secret' in spec && spec.secret && spec.default
      ? '(dev value)'
      : spec.default === ''
        ? '(empty)'
        : `\`${spec.default}\``;
  console.log(`| \`${name}\` | ${def} | ${spec.doc} |`);
}
