/**
 * tools/patch-sdk.js: a patch is applied once, left alone when already applied, and an installed file that is not
 * the one the patch was written for fails the install, naming the file, instead of being left unpatched silently.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Plain JavaScript, run by npm before anything is built.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { applyPatches } = require('../../../tools/patch-sdk.js') as {
  applyPatches: (spec: { patches: Patch[] }, dir: string) => string[];
};

interface Patch {
  file: string;
  find: string;
  replace: string;
  count: number;
}

const patch: Patch = { file: 'lib/a.js', find: 'hook() {\n', replace: 'hook() {\n  if (off) return;\n', count: 1 };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'patch-sdk-'));
  mkdirSync(join(dir, 'lib'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const installed = (text: string): void => writeFileSync(join(dir, 'lib/a.js'), text);
const read = (): string => readFileSync(join(dir, 'lib/a.js'), 'utf8');

test('applies a patch once, and leaves a patched file as it is', () => {
  installed('x;\nhook() {\n  work();\n}\n');
  expect(applyPatches({ patches: [patch] }, dir)).toEqual(['lib/a.js: patched']);
  expect(read()).toBe('x;\nhook() {\n  if (off) return;\n  work();\n}\n');
  expect(applyPatches({ patches: [patch] }, dir)).toEqual(['lib/a.js: already patched']);
  expect(read()).toBe('x;\nhook() {\n  if (off) return;\n  work();\n}\n');
});

test('fails on a file the patch was not written for, and changes nothing', () => {
  installed('hook(options) {\n  work();\n}\n');
  expect(() => applyPatches({ patches: [patch] }, dir)).toThrow(/lib\/a\.js: the text to patch is found 0 times/);
  installed('hook() {\n}\nhook() {\n}\n');
  expect(() => applyPatches({ patches: [patch] }, dir)).toThrow(/found 2 times/);
  expect(read()).toBe('hook() {\n}\nhook() {\n}\n');
});

test('fails on a package that is not installed', () => {
  expect(() => applyPatches({ patches: [{ ...patch, file: 'lib/missing.js' }] }, dir)).toThrow(
    /lib\/missing\.js: not installed/
  );
});

test("the SDK's patches apply to the installed SDK", () => {
  const spec = JSON.parse(readFileSync(join(__dirname, '../../../tools/sdk-patches.json'), 'utf8')) as {
    patches: Patch[];
  };
  const root = join(__dirname, '../../..');
  for (const p of spec.patches) {
    const text = readFileSync(join(root, p.file), 'utf8');
    expect(text.split(p.replace).length - 1).toBe(p.count);
  }
});
