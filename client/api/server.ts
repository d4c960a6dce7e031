/**
 * The REST API (Fastify): health and readiness, the JSON routes under /api/ (service layer in
 * client/services), the OpenAPI 3.1 document at /docs (JSON at /docs/json) and — outside production —
 * the dev mailbox. Bodies are refused beyond 256 KiB, unknown fields are refused rather than dropped, and
 * request bodies are never coerced: a string field takes only a string.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import type { Models } from '../../activities/store/models';
import type { ProcessRegistry } from '../../domain/processes/registry';
import type { Config } from '../../worker/config';
import { ServiceError, type ServiceDeps } from '../services';
import type { ClientConnection } from '../temporal';
import { registerAuth } from './auth';
import { registerErrorHandler } from './errors';
import { registerDevMailbox } from './mailbox';
import { registerRoutes } from './routes';
import { registerQuotaRoutes } from './routes-quotas';
import { registerWeb } from '../web';

export interface ApiDeps {
  config: Config;
  mongo: Connection;
  temporal: ClientConnection;
  models: Models;
  /** The shipped process definitions (administrators' versions are read from MongoDB on top). */
  registry: ProcessRegistry;
  now?: () => number;
}

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: coerce ? 'array' : false,
    allErrors: false,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

/** True when some key of the value, at any depth, starts with '$' (a MongoDB operator smuggled in). */
function hasOperatorKey(v: unknown, depth = 0): boolean {
  if (depth > 64 || typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return v.some((x) => hasOperatorKey(x, depth + 1));
  return Object.entries(v).some(([k, x]) => k.startsWith('$') || hasOperatorKey(x, depth + 1));
}

export async function buildServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      deps.config.logLevel === 'silent'
        ? false
        : { level: deps.config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    bodyLimit: 256 * 1024,
  });
  // Query strings and path parameters arrive as text and are coerced to their schema's type; bodies are JSON
  // and are taken as they are.
  const bodyAjv = makeAjv(false);
  const textAjv = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object)
  );
  registerErrorHandler(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'cadreflow API',
        version: '1.0.0',
        description:
          'Quy trình phê duyệt của Tỉnh ủy: hồ sơ, hộp việc, thao tác, tổ chức, quy trình, lịch làm việc. ' +
          'Lỗi luôn có dạng {code, message, details?}; message bằng tiếng Việt.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'cadreflow_session' },
          token: { type: 'http', scheme: 'bearer', description: 'Mã truy cập cf_...' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const serviceDeps: ServiceDeps = {
    models: deps.models,
    temporal: deps.temporal.client,
    registry: deps.registry,
    config: deps.config,
    now: deps.now ?? Date.now,
  };
  registerAuth(app, serviceDeps);
  app.addHook('preValidation', async (req) => {
    if (req.body !== undefined && hasOperatorKey(req.body))
      throw new ServiceError(
        400,
        'INVALID_REQUEST',
        'Dữ liệu gửi lên không hợp lệ (tên trường không được bắt đầu bằng «$»).'
      );
  });

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { hide: true } }, async (req, reply) => {
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

  registerRoutes(app, serviceDeps);
  registerQuotaRoutes(app, serviceDeps);
  registerWeb(app, serviceDeps);
  if (deps.config.env !== 'production' && deps.config.devMailboxUrl) registerDevMailbox(app, deps.config.devMailboxUrl);
  await app.ready();
  return app;
}
