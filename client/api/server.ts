/**
 * The REST API (Fastify): health and readiness, and — outside production — the dev mailbox. Later routes
 * (cases, inbox, acts, reports) register here with a TypeBox schema on every input and output.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import type { Config } from '../../worker/config';
import type { ClientConnection } from '../temporal';
import { registerErrorHandler } from './errors';
import { registerDevMailbox } from './mailbox';

export interface ApiDeps {
  config: Config;
  mongo: Connection;
  temporal: ClientConnection;
}

export async function buildServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.config.logLevel === 'silent' ? false : { level: deps.config.logLevel },
    bodyLimit: 256 * 1024,
  });
  registerErrorHandler(app);

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (req, reply) => {
    const checks = await Promise.all([
      deps.mongo.db
        ? deps.mongo.db.command({ ping: 1 }).then(
            () => true,
            () => false
          )
        : Promise.resolve(false),
      deps.temporal.connection.healthService.check({}).then(
        () => true,
        () => false
      ),
    ]);
    const [mongodb, temporal] = checks;
    if (mongodb && temporal) return { status: 'ready', mongodb, temporal };
    return reply
      .status(503)
      .header('retry-after', '5')
      .send({ code: 'UNAVAILABLE', message: 'Hệ thống chưa sẵn sàng.', details: { mongodb, temporal } });
  });

  if (deps.config.env !== 'production' && deps.config.devMailboxUrl) registerDevMailbox(app, deps.config.devMailboxUrl);
  await app.ready();
  return app;
}
