/** Entry point of the API process: `node dist/client/api/main.js`. Stops cleanly on SIGINT/SIGTERM. */
import { createModels } from '../../activities/store/models';
import { createDefaultRegistry } from '../../domain/processes';
import { ConfigError, loadConfig } from '../../worker/config';
import { connectClient } from '../temporal';
import { openApiMongo } from './mongo';
import { buildServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  // Opened in the background and retried until MongoDB answers: meanwhile the routes answer 503.
  const mongo = openApiMongo(config.mongodbUrl, {
    log: ({ msg, attempt, err }) => {
      if (attempt === 1 || attempt % 30 === 0 || !err)
        console.error(`${msg} (attempt ${attempt})${err ? `: ${(err as Error).message}` : ''}`);
    },
  });
  const temporal = await connectClient(config.temporal.address, config.temporal.namespace);
  const app = await buildServer({
    config,
    mongo: mongo.connection,
    temporal,
    models: createModels(mongo.connection),
    registry: createDefaultRegistry(),
  });
  await app.listen({ host: config.api.host, port: config.api.port });
  const stop = (): void => {
    void app
      .close()
      .then(() => Promise.all([temporal.close(), mongo.close()]))
      .then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
