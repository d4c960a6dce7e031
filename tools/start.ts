/**
 * `npm start`: the whole of cadreflow on one machine with embedded defaults — the Temporal dev server
 * (with its Web UI), the MongoDB-protocol server (FerretDB on SQLite under ./data), an SMTP catcher, the
 * worker and the API. Prints the addresses and how long it took to be ready; Ctrl-C stops everything.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { buildServer } from '../client/api/server';
import { connectClient } from '../client/temporal';
import { ConfigError, loadConfig, type Config } from '../worker/config';
import { startWorker } from '../worker/worker';
import { createModels } from '../activities/store/models';
import { createDefaultRegistry } from '../domain/processes';
import { seedDemo } from './demo/seed';
import { ensureFerretDb, ensureTemporalCli, ToolError } from './stack/binaries';
import { startMailCatcher } from './stack/mail-catcher';
import { SEARCH_ATTRIBUTES } from './stack/search-attributes';
import {
  freePort,
  killStale,
  portInUse,
  startFerretDb,
  startTemporalDevServer,
  type RunningServer,
} from './stack/servers';

function portOf(address: string, what: string): number {
  const m = /:(\d+)(\/|$)/.exec(address.replace(/^mongodb:\/\//, ''));
  if (!m) throw new ToolError(`cannot read the port of ${what} from "${address}"`);
  return Number(m[1]);
}

async function checkPorts(ports: Array<[number, string, string]>): Promise<void> {
  for (const [port, what, variable] of ports) {
    if (await portInUse(port)) {
      throw new ToolError(
        `port ${port} (${what}) is already in use: stop what uses it, or set ${variable} to another port.`
      );
    }
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch((e: Error) => console.error(`while stopping: ${e.message}`));
  };
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping cadreflow …');
    void stopAll().then(() => {
      console.log('Stopped.');
      process.exit(0);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const base = loadConfig();
    const dataDir = resolve(base.dataDir);
    const temporalPort = portOf(base.temporal.address, 'TEMPORAL_ADDRESS');
    const mongoPort = portOf(base.mongodbUrl, 'MONGODB_URL');
    const uiPort = temporalPort + 1000;
    await checkPorts([
      [temporalPort, 'Temporal', 'TEMPORAL_ADDRESS'],
      [uiPort, 'Temporal Web UI', 'TEMPORAL_ADDRESS (the UI listens on its port + 1000)'],
      [mongoPort, 'MongoDB-protocol server', 'MONGODB_URL'],
      [base.smtp.port, 'SMTP catcher', 'SMTP_PORT'],
      [base.api.port, 'API and web UI', 'API_PORT'],
    ]);
    const [cli, ferret] = await Promise.all([ensureTemporalCli(), ensureFerretDb()]);
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
    const pidDir = join(dataDir, 'pids');
    killStale(join(pidDir, 'temporal.pid'));
    killStale(join(pidDir, 'ferretdb.pid'));

    const servers: RunningServer[] = await Promise.all([
      startTemporalDevServer({
        cli,
        port: temporalPort,
        uiPort,
        dbFile: join(dataDir, 'temporal.sqlite'),
        pidFile: join(pidDir, 'temporal.pid'),
        logFile: join(dataDir, 'logs', 'temporal.log'),
        searchAttributes: SEARCH_ATTRIBUTES,
      }),
      startFerretDb({
        bin: ferret,
        port: mongoPort,
        handler: 'sqlite',
        sqliteDir: join(dataDir, 'ferretdb'),
        pidFile: join(pidDir, 'ferretdb.pid'),
        logFile: join(dataDir, 'logs', 'ferretdb.log'),
      }),
    ]);
    for (const s of servers) stops.push(() => s.stop());

    const catcher = await startMailCatcher({
      smtpPort: base.smtp.port,
      httpPort: await freePort(),
      emlDir: join(dataDir, 'mail'),
    });
    stops.push(() => catcher.close());
    const config: Config = {
      ...base,
      devMailboxUrl: base.devMailboxUrl || `http://127.0.0.1:${catcher.httpPort}`,
      // Beside the stack's other files, unless set.
      mailAcceptedDir: process.env.MAIL_ACCEPTED_DIR ? base.mailAcceptedDir : join(dataDir, 'mail-accepted'),
    };

    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
    const worker = await startWorker(config);
    stops.push(() => worker.shutdown());

    // As the API's own entry point: no buffering, so a MongoDB outage answers 503 at once. Connected before
    // the demo is loaded (without buffering nothing may be sent before the first connection).
    const mongo = mongoose.createConnection(config.mongodbUrl, {
      serverSelectionTimeoutMS: 5000,
      bufferCommands: false,
    });
    const temporal = await connectClient(config.temporal.address, config.temporal.namespace);
    stops.push(
      () => mongo.close(),
      () => temporal.close()
    );
    await mongo.asPromise();
    // An empty database gets the demo province, so that there is something to look at at once.
    const demo = await seedDemo({
      models: createModels(mongo),
      client: temporal.client,
      registry: createDefaultRegistry(),
      taskQueue: config.temporal.taskQueue,
      log: (line) => console.log(line),
    });
    if (demo.loaded) console.log(`Loaded the demo province (Tỉnh ủy Sông Lam) with ${demo.cases} cases.`);

    const app = await buildServer({
      config: { ...config, logLevel: 'warn' },
      mongo,
      temporal,
      models: createModels(mongo),
      registry: createDefaultRegistry(),
    });
    await app.listen({ host: config.api.host, port: config.api.port });
    stops.push(() => app.close());

    const api = `http://${config.api.host}:${config.api.port}`;
    console.log(`
cadreflow is ready in ${((Date.now() - started) / 1000).toFixed(1)} s
  API and web UI     ${api}
  Dev mailbox        ${api}/dev/mailbox   (.eml files in ${join(dataDir, 'mail')})
  Temporal Web UI    http://127.0.0.1:${uiPort}
  Temporal           ${config.temporal.address}
  MongoDB protocol   ${config.mongodbUrl}
  SMTP catcher       127.0.0.1:${config.smtp.port}
Logs in ${join(dataDir, 'logs')}. Press Ctrl-C to stop.`);
  } catch (e) {
    await stopAll();
    if (e instanceof ToolError || e instanceof ConfigError) console.error(`cadreflow: ${e.message}`);
    else console.error('cadreflow could not start:', e);
    process.exit(1);
  }
}

void main();
