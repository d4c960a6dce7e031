// Applies tools/sdk-patches.json to the installed npm packages: each patch replaces a text found exactly `count`
// times in one file. Run after every install (package.json's postinstall) and before npm start and npm test
// (tools/ensure-deps.js); a file already patched is left as it is. Plain JavaScript: it runs right after npm
// has installed the packages, before anything is built.
'use strict';
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

function occurrences(text, needle) {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n += 1;
  return n;
}

/** Applies every patch of `spec` under `dir`; answers one line per patch, or throws naming the one that failed. */
function applyPatches(spec, dir) {
  const lines = [];
  for (const p of spec.patches) {
    const file = join(dir, p.file);
    if (!existsSync(file)) throw new Error(`${p.file}: not installed (run npm ci)`);
    const text = readFileSync(file, 'utf8');
    const applied = occurrences(text, p.replace);
    if (applied === p.count) {
      lines.push(`${p.file}: already patched`);
      continue;
    }
    const found = occurrences(text, p.find);
    if (applied !== 0 || found !== p.count) {
      throw new Error(
        `${p.file}: the text to patch is found ${found} times and the patched text ${applied} times, where the patch expects ` +
          `${p.count} and 0: the package is not the version the patch was written for (tools/sdk-patches.json)`
      );
    }
    writeFileSync(file, text.split(p.find).join(p.replace));
    lines.push(`${p.file}: patched`);
  }
  return lines;
}

module.exports = { applyPatches };

if (require.main === module) {
  try {
    const spec = JSON.parse(readFileSync(join(root, 'tools', 'sdk-patches.json'), 'utf8'));
    const lines = applyPatches(spec, root);
    if (!process.argv.includes('--quiet')) for (const l of lines) console.log(`patch-sdk: ${l}`);
  } catch (e) {
    console.error(`patch-sdk: ${e.message}`);
    process.exit(1);
  }
}
