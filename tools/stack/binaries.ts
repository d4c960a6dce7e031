/**
 * How the dev stack obtains its two Go-built servers with nothing but the Go module proxy:
 * - the Temporal CLI (its dev server), `go install github.com/temporalio/cli/cmd/temporal@v1.5.1`; later
 *   tags carry a `replace` line and cannot be go-installed;
 * - FerretDB v1.24.2 embedded in our own small program under tools/ferretdb (the upstream command panics
 *   at start for a missing version file when go-installed), built from a copy of FerretDB's module with the
 *   small patches of tools/ferretdb/patches.json applied (each says why).
 * Both land in tools/.bin (git-ignored) and are rebuilt only when missing or of another version, which a
 * stamp file records (the CLI built this way prints `0.0.0-DEV` as its version). TEMPORAL_CLI_PATH and
 * FERRETDB_PATH point at existing binaries instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The repository root, found from this file whether it runs from sources (ts-jest) or from dist/. */
export const REPO_ROOT = findRepoRoot(__dirname);
export const TOOLS_BIN = join(REPO_ROOT, 'tools', '.bin');
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const FERRETDB_SRC = join(REPO_ROOT, 'tools', 'ferretdb');

export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

type Log = (line: string) => void;

function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'tools', 'ferretdb'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new ToolError(`cannot find the cadreflow repository above ${from}`);
    dir = parent;
  }
  return dir;
}

function stampMatches(stampFile: string, expected: string): boolean {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === expected;
}

function requireGo(what: string): void {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new ToolError(
      `${what} is not built and Go is not available to build it: install Go 1.25 or newer (https://go.dev/dl), ` +
        `or point ${what === 'Temporal CLI' ? 'TEMPORAL_CLI_PATH' : 'FERRETDB_PATH'} at an existing binary.`
    );
  }
}

/** Runs a Go build, printing a line every 15 s so a long cold build is visibly alive. */
async function goBuild(what: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: Log): Promise<void> {
  const started = Date.now();
  const child = spawn('go', args, {
    cwd,
    env: { ...process.env, CGO_ENABLED: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const ticker = setInterval(
    () => log(`  … still building ${what} (${Math.round((Date.now() - started) / 1000)} s)`),
    15000
  );
  const code = await new Promise<number | null>((res) => child.on('close', res));
  clearInterval(ticker);
  if (code !== 0) {
    const tail = output.trim().split('\n').slice(-8).join('\n    ');
    throw new ToolError(`building ${what} failed (go ${args.join(' ')}):\n    ${tail}`);
  }
  log(`  built ${what} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Path of a Temporal CLI binary, building it into tools/.bin when missing or of another version. */
export async function ensureTemporalCli(log: Log = console.log): Promise<string> {
  const override = process.env.TEMPORAL_CLI_PATH;
  if (override) {
    if (!existsSync(override)) throw new ToolError(`TEMPORAL_CLI_PATH points at ${override}, which does not exist.`);
    return override;
  }
  const bin = join(TOOLS_BIN, 'temporal');
  const stamp = join(TOOLS_BIN, 'temporal.version');
  const expected = `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`;
  if (existsSync(bin) && stampMatches(stamp, expected)) return bin;
  requireGo('Temporal CLI');
  mkdirSync(TOOLS_BIN, { recursive: true });
  log(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} (dev server) into tools/.bin: it is missing or of another version. ` +
      'A cold build downloads about 1.8 GB of Go modules and takes about 5 minutes; later runs reuse it.'
  );
  await goBuild('the Temporal CLI', ['install', expected], REPO_ROOT, { GOBIN: TOOLS_BIN }, log);
  writeFileSync(stamp, `${expected}\n`);
  return bin;
}

interface FerretDbPatches {
  module: string;
  why: string;
  patches: Array<{ why: string; file: string; find: string; replace: string; count: number }>;
  /** A directory of tools/ferretdb whose files are added to the module at the same paths (never replacing one). */
  overlay?: { why: string; dir: string };
}

/** The files of the spec's overlay, as [path in the module, path in tools/ferretdb]. */
function overlayFiles(spec: FerretDbPatches): Array<[string, string]> {
  if (!spec.overlay) return [];
  const root = join(FERRETDB_SRC, spec.overlay.dir);
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e): [string, string] => {
      const source = join(e.parentPath, e.name);
      return [relative(root, source), source];
    })
    .sort(([a], [b]) => a.localeCompare(b));
}

/**
 * A build directory holding the launcher's sources and a patched copy of FerretDB's module, which its
 * go.mod points at with a `replace` (Go does not let a build overlay files of the module cache).
 */
function preparePatchedBuild(buildDir: string, spec: FerretDbPatches): void {
  const download = spawnSync('go', ['mod', 'download', '-json', spec.module], { cwd: FERRETDB_SRC, encoding: 'utf8' });
  if (download.status !== 0) throw new ToolError(`go mod download ${spec.module} failed:\n${download.stderr}`);
  const moduleDir = (JSON.parse(download.stdout) as { Dir?: string }).Dir;
  if (!moduleDir) throw new ToolError(`go mod download ${spec.module} did not say where the module is`);
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(buildDir, { recursive: true });
  for (const f of ['main.go', 'go.mod', 'go.sum']) cpSync(join(FERRETDB_SRC, f), join(buildDir, f));
  const copy = join(buildDir, 'ferretdb-module');
  cpSync(moduleDir, copy, { recursive: true });
  for (const [path, source] of overlayFiles(spec)) {
    if (existsSync(join(copy, path))) throw new ToolError(`${source} would replace ${path} of ${spec.module}`);
    mkdirSync(dirname(join(copy, path)), { recursive: true });
    cpSync(source, join(copy, path));
  }
  for (const p of spec.patches) {
    const file = join(copy, p.file);
    const source = readFileSync(file, 'utf8');
    const found = source.split(p.find).length - 1;
    if (found !== p.count)
      throw new ToolError(`tools/ferretdb/patches.json: expected ${p.count} match(es) in ${p.file}, found ${found}`);
    chmodSync(file, 0o644); // the module cache's files are read-only
    writeFileSync(file, source.split(p.find).join(p.replace));
  }
  writeFileSync(
    join(buildDir, 'go.mod'),
    `${readFileSync(join(buildDir, 'go.mod'), 'utf8')}\nreplace ${spec.module} => ./ferretdb-module\n`
  );
}

/**
 * Path of the FerretDB launcher, rebuilt when missing or when its sources (main.go, go.mod, go.sum, the patches and
 * the overlay) changed.
 */
export async function ensureFerretDb(log: Log = console.log): Promise<string> {
  const override = process.env.FERRETDB_PATH;
  if (override) {
    if (!existsSync(override)) throw new ToolError(`FERRETDB_PATH points at ${override}, which does not exist.`);
    return override;
  }
  const bin = join(TOOLS_BIN, 'cadreflow-ferretdb');
  const stamp = join(TOOLS_BIN, 'cadreflow-ferretdb.version');
  const hash = createHash('sha256');
  for (const f of ['main.go', 'go.mod', 'go.sum', 'patches.json']) hash.update(readFileSync(join(FERRETDB_SRC, f)));
  const spec = JSON.parse(readFileSync(join(FERRETDB_SRC, 'patches.json'), 'utf8')) as FerretDbPatches;
  for (const [path, source] of overlayFiles(spec)) hash.update(path).update(readFileSync(source));
  const expected = hash.digest('hex');
  if (existsSync(bin) && stampMatches(stamp, expected)) return bin;
  requireGo('FerretDB');
  mkdirSync(TOOLS_BIN, { recursive: true });
  log(
    'Building the FerretDB launcher (MongoDB-protocol server) into tools/.bin: it is missing or its sources changed. About 1–2 minutes cold.'
  );
  const buildDir = join(TOOLS_BIN, 'ferretdb-build');
  preparePatchedBuild(buildDir, spec);
  await goBuild('FerretDB', ['build', '-o', bin, '.'], buildDir, {}, log);
  rmSync(buildDir, { recursive: true, force: true });
  writeFileSync(stamp, `${expected}\n`);
  return bin;
}
