/** Entry point of the API process: `node dist/client/api/main.js`. Stops cleanly on SIGINT/SIGTERM. */
import mongoose from 'mongoose';
import { createModels } from '../../activities/store/models';
import { createDefaultRegistry } from '../../domain/processes';
import { ConfigError, loadConfig } from '../../worker/config';
import { connectClient } from '../temporal';
import { buildServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  // No buffering: while MongoDB is unreachable a request fails at once into the 503 path instead of waiting.
  const mongo = mongoose.createConnection(config.mongodbUrl, { serverSelectionTimeoutMS: 5000, bufferCommands: false });
  const temporal = await connectClient(config.temporal.address, config.temporal.namespace);
  const app = await buildServer({
    config,
    mongo,
    temporal,
    models: createModels(mongo),
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
