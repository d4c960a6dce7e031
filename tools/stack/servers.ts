/**
 * Starting and stopping the real servers of the dev stack and of the tests: the Temporal dev server and
 * the FerretDB launcher as child processes. Every child is tracked and killed when its owner stops (or,
 * as a last resort, when the owning Node process exits), and its pid is written to a pid file so that the
 * next run can clean up after a run that was itself killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, extname, join } from 'node:path';

export interface RunningServer {
  name: string;
  pid: number;
  /** Stops the process (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export async function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((res) => {
    const sock = createConnection({ port, host });
    sock.once('connect', () => {
      sock.destroy();
      res(true);
    });
    sock.once('error', () => res(false));
  });
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  child?: ChildProcess
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${what} exited (code ${child.exitCode ?? child.signalCode}) before it was ready`);
    }
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} was not ready within ${Math.round(timeoutMs / 1000)} s`);
}

interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  /** Where the child's output goes; without it the output is kept only for error messages. */
  logFile?: string;
  pidFile?: string;
  cwd?: string;
  /** Added to the environment the child inherits. */
  env?: Record<string, string>;
}

/**
 * The Go runtime's collector for the servers the stack builds (Temporal dev server, FerretDB): collect when the
 * heap has grown by 400 % of what is live, not Go's default 100 %. Under the benchmark's load on two cores
 * (docs/benchmarks.md) that took a sixth off FerretDB's CPU and a tenth off the Temporal server's; with 10,000 cases
 * open the two held about 1 GiB more (1.4 GiB and 0.4 GiB at their peaks, against 0.6 and 0.1). A GOGC set by whoever
 * runs the stack is kept.
 */
export function goServerEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { GOGC: env.GOGC ?? '400' };
}

/** Kills a process left by an earlier run that was itself killed, as recorded in its pid file. */
export function killStale(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(pidFile, { force: true });
}

/** How much of a child's output is kept from its start and from its end, for error messages. */
const OUTPUT_HEAD = 2000;
const OUTPUT_TAIL = 20000;

export function spawnServer(opts: SpawnOptions): {
  child: ChildProcess;
  server: RunningServer;
  output: () => string;
  head: () => string;
} {
  let output = '';
  let head = '';
  const child = spawn(opts.command, opts.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: opts.cwd,
    env: opts.env ? { ...process.env, ...opts.env } : undefined,
  });
  children.add(child);
  // With a log file, everything the child prints is appended there as it comes (a server that hangs or is killed
  // keeps its whole log); the end of it is kept in memory for error messages either way.
  let log: WriteStream | undefined;
  if (opts.logFile) {
    mkdirSync(dirname(opts.logFile), { recursive: true });
    log = createWriteStream(opts.logFile, { flags: 'a' });
    child.once('close', () => log?.end());
  }
  const keep = (d: Buffer): void => {
    if (head.length < OUTPUT_HEAD) head = (head + d.toString()).slice(0, OUTPUT_HEAD);
    output = (output + d.toString()).slice(-OUTPUT_TAIL);
    log?.write(d);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (opts.pidFile && child.pid) {
    mkdirSync(dirname(opts.pidFile), { recursive: true });
    writeFileSync(opts.pidFile, String(child.pid));
  }
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const finish = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    children.delete(child);
    if (opts.pidFile) rmSync(opts.pidFile, { force: true });
  };
  const server: RunningServer = {
    name: opts.name,
    pid: child.pid ?? -1,
    stop: () => finish('SIGTERM', 5000),
    kill: () => finish('SIGKILL', 0),
  };
  return { child, server, output: () => output, head: () => head };
}

/**
 * Spawns a server and waits until `ready` answers true; should it not within `timeoutMs` (or exit first), stops it
 * and throws with the end of its output.
 */
async function spawnReady(
  opts: SpawnOptions,
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs: number
): Promise<RunningServer> {
  const { child, server, output, head } = spawnServer(opts);
  try {
    await waitFor(what, ready, timeoutMs, child);
  } catch (e) {
    await server.stop();
    // A Go server that dies while starting says why in its first lines (then a stack trace of many more).
    const out = output();
    const shown = out.length <= 2 * OUTPUT_HEAD ? out : `${head()}\n…\n${out.slice(-2000)}`;
    throw new Error(`${(e as Error).message}\n${shown}`, { cause: e });
  }
  return server;
}

/**
 * Starts a server on a port freePort gives, and on another one should that port have been taken between the two
 * (freePort's port is free when it is answered, and any process may bind it or use it for a connection before the
 * server listens): the server then exits saying "address already in use", and that start is made again on a new
 * port, at most `attempts` times in all. Any other failure is thrown at once.
 */
export async function startOnFreePort<T>(
  start: (port: number) => Promise<T>,
  attempts = 3
): Promise<{ port: number; server: T }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return { port, server: await start(port) };
    } catch (e) {
      if (attempt >= attempts || !/address already in use/i.test((e as Error).message)) throw e;
    }
  }
}

export interface TemporalDevServerOptions {
  cli: string;
  port: number;
  /** Port of the Temporal Web UI; headless when absent. */
  uiPort?: number;
  dbFile: string;
  pidFile?: string;
  logFile?: string;
  /** Custom search attributes to register, name → type. */
  searchAttributes?: Record<string, 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList'>;
  /** The port of its Prometheus endpoint (`/metrics`); a port of the server's choosing otherwise. */
  metricsPort?: number;
}

/** Starts `temporal server start-dev` on a persistent SQLite file and waits until it answers. */
export async function startTemporalDevServer(o: TemporalDevServerOptions): Promise<RunningServer> {
  mkdirSync(dirname(o.dbFile), { recursive: true });
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--db-filename', o.dbFile];
  args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF', '--log-level', 'warn');
  if (o.uiPort) args.push('--ui-port', String(o.uiPort), '--ui-ip', '127.0.0.1');
  else args.push('--headless');
  if (o.metricsPort) args.push('--metrics-port', String(o.metricsPort));
  for (const [name, type] of Object.entries(o.searchAttributes ?? {}))
    args.push('--search-attribute', `${name}=${type}`);
  const { Connection } = await import('@temporalio/client');
  return spawnReady(
    { name: 'Temporal dev server', command: o.cli, args, pidFile: o.pidFile, logFile: o.logFile, env: goServerEnv() },
    'the Temporal dev server',
    async () => {
      const conn = await Connection.connect({ address: `127.0.0.1:${o.port}`, connectTimeout: 1000 });
      try {
        await conn.healthService.check({});
        return true;
      } finally {
        await conn.close();
      }
    },
    60000
  );
}

export interface FerretDbOptions {
  bin: string;
  port: number;
  handler: 'sqlite' | 'postgresql';
  /** Directory for the SQLite handler (created if missing). */
  sqliteDir?: string;
  postgresqlUrl?: string;
  pidFile?: string;
  logFile?: string;
}

/** Starts the FerretDB launcher and waits until it answers a MongoDB ping. */
export async function startFerretDb(o: FerretDbOptions): Promise<RunningServer> {
  const args = ['-listen', `127.0.0.1:${o.port}`, '-handler', o.handler];
  if (o.handler === 'sqlite') {
    const dir = o.sqliteDir ?? './data/ferretdb';
    mkdirSync(dir, { recursive: true });
    args.push('-sqlite-url', `file:${dir.endsWith('/') ? dir : `${dir}/`}`);
  } else {
    if (!o.postgresqlUrl) throw new Error('the postgresql handler needs a PostgreSQL URL');
    args.push('-postgresql-url', o.postgresqlUrl);
  }
  const { MongoClient } = await import('mongodb');
  return spawnReady(
    { name: 'FerretDB', command: o.bin, args, pidFile: o.pidFile, logFile: o.logFile, env: goServerEnv() },
    'FerretDB',
    async () => {
      const client = new MongoClient(`mongodb://127.0.0.1:${o.port}/`, { serverSelectionTimeoutMS: 1000 });
      try {
        await client.db('admin').command({ ping: 1 });
        return true;
      } finally {
        await client.close();
      }
    },
    30000
  );
}

export interface MailCatcherProcessOptions {
  smtpPort: number;
  httpPort: number;
  pidFile?: string;
  logFile?: string;
  /** Node options of the catcher's process (a benchmark's --cpu-prof). */
  nodeArgs?: string[];
}

/**
 * The SMTP catcher (mail-catcher.ts) in a Node process of its own, as a mail server runs beside the service rather
 * than inside a process of it; ready once its HTTP side answers. Driven over HTTP like the in-process one.
 */
export async function startMailCatcherProcess(o: MailCatcherProcessOptions): Promise<RunningServer> {
  // From the sources (tsx) or from the build, whichever this file is.
  const module = join(__dirname, `mail-catcher${extname(__filename)}`);
  // SIGTERM ends it through process.exit, so that what exit writes is written (a --cpu-prof profile).
  const script = `require(${JSON.stringify(module)}).startMailCatcher(${JSON.stringify({
    smtpPort: o.smtpPort,
    httpPort: o.httpPort,
  })}).catch((e) => { console.error(e); process.exit(1); }); process.on('SIGTERM', () => process.exit(0));`;
  return spawnReady(
    {
      name: 'SMTP catcher',
      command: process.execPath,
      args: [...(o.nodeArgs ?? []), ...(extname(__filename) === '.ts' ? ['--import', 'tsx'] : []), '-e', script],
      cwd: join(__dirname, '..', '..'),
      pidFile: o.pidFile,
      logFile: o.logFile,
    },
    'the SMTP catcher',
    async () =>
      (await fetch(`http://127.0.0.1:${o.httpPort}/messages?view=summary&after=${Number.MAX_SAFE_INTEGER}`)).ok,
    30000
  );
}
