// Installs the npm packages when they are missing or older than the lock file, so that `npm start` and
// `npm test` work on a fresh clone. Plain JavaScript: it runs before anything is installed.
'use strict';
const { existsSync, statSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
if (stale) {
  const cmd = process.env.CI ? ['ci'] : ['install'];
  console.log(`Installing npm packages (npm ${cmd[0]}) …`);
  const r = spawnSync('npm', [...cmd, '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('npm could not install the packages: see the lines above.');
    process.exit(r.status ?? 1);
  }
}
// The SDK's patches (tools/sdk-patches.json), for packages installed before a patch was added: npm applies them
// itself only when it installs (postinstall).
const patched = spawnSync(process.execPath, [join(__dirname, 'patch-sdk.js'), '--quiet'], {
  cwd: root,
  stdio: 'inherit',
});
if (patched.status !== 0) process.exit(patched.status ?? 1);
