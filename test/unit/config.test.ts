import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { SEARCH_ATTRIBUTES } from '../../tools/stack/search-attributes';
import { CONFIG_VARIABLES, ConfigError, describeConfig, loadConfig, type Config } from '../../worker/config';

const TEST_SECRET = 'a-32-character-test-session-key!';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('takes every default from CONFIG_VARIABLES when the environment is empty', () => {
    const expected = {
      env: 'development',
      temporal: {
        address: '127.0.0.1:7233',
        namespace: 'default',
        taskQueue: 'cadreflow',
        cachedWorkflows: 1000,
        workflowStackTraces: false,
      },
      mongodbUrl: 'mongodb://127.0.0.1:27017/cadreflow',
      smtp: {
        host: '127.0.0.1',
        port: 2525,
        secure: false,
        poolSize: 16,
        user: '',
        password: '',
        from: 'cadreflow <cadreflow@tinhuy.local>',
      },
      publicUrl: 'http://127.0.0.1:8080',
      api: { host: '127.0.0.1', port: 8080, sessionSecret: CONFIG_VARIABLES.SESSION_SECRET.default },
      logLevel: 'info',
      dataDir: './data',
    } satisfies Partial<Config>;
    expect(loadConfig({})).toMatchObject(expected);
  });

  it('has a valid default and a description for every variable', () => {
    for (const [name, spec] of Object.entries(CONFIG_VARIABLES)) {
      expect({ name, ok: spec.schema.safeParse(spec.default).success }).toEqual({ name, ok: true });
      expect(spec.doc.length).toBeGreaterThan(10);
    }
  });

  it('parses numbers, booleans and URLs from their text', () => {
    const config = loadConfig({
      SMTP_PORT: '465',
      SMTP_SECURE: 'yes',
      API_PORT: '3000',
      PUBLIC_URL: 'https://cadreflow.tinhuy.gov.vn//',
      MONGODB_URL: 'mongodb+srv://cluster.example/cadreflow',
    });
    expect(config.smtp).toMatchObject({ port: 465, secure: true });
    expect(config.api.port).toBe(3000);
    expect(config.publicUrl).toBe('https://cadreflow.tinhuy.gov.vn');
    expect(config.mongodbUrl).toBe('mongodb+srv://cluster.example/cadreflow');
    for (const [text, value] of [
      ['true', true],
      ['1', true],
      ['yes', true],
      ['false', false],
      ['0', false],
      ['no', false],
    ] as const) {
      expect(loadConfig({ SMTP_SECURE: text }).smtp.secure).toBe(value);
    }
  });

  it.each(['1', '0', 'many', '2.5'])('rejects %p cached workflows (the SDK needs at least 2)', (bad) => {
    expect(configError(() => loadConfig({ TEMPORAL_CACHED_WORKFLOWS: bad })).problems).toEqual([
      expect.stringMatching(/^TEMPORAL_CACHED_WORKFLOWS: /),
    ]);
    expect(loadConfig({ TEMPORAL_CACHED_WORKFLOWS: '250' }).temporal.cachedWorkflows).toBe(250);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ API_PORT: '', LOG_LEVEL: '' })).toMatchObject({ api: { port: 8080 }, logLevel: 'info' });
  });

  it.each(['99999', '0', '-1', '80.5', 'abc'])('rejects the port %p, naming the variable', (bad) => {
    const error = configError(() => loadConfig({ API_PORT: bad }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^API_PORT: /);
    expect(error.message).toContain('API_PORT');
  });

  it('reports every problem at once, one line each', () => {
    const error = configError(() =>
      loadConfig({
        SMTP_PORT: '70000',
        MONGODB_URL: 'postgres://127.0.0.1/cadreflow',
        LOG_LEVEL: 'loud',
        SMTP_SECURE: 'maybe',
        PUBLIC_URL: 'not a url',
      })
    );
    expect(error.problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'LOG_LEVEL',
      'MONGODB_URL',
      'PUBLIC_URL',
      'SMTP_PORT',
      'SMTP_SECURE',
    ]);
    expect(error.problems.find((p) => p.startsWith('MONGODB_URL'))).toContain('must start with mongodb://');
    expect(error.message.split('\n')).toHaveLength(1 + 5);
    expect(error.message.split('\n')[0]).toBe('Invalid configuration:');
  });

  it('rejects a session secret shorter than 16 characters', () => {
    const error = configError(() => loadConfig({ SESSION_SECRET: 'too-short' }));
    expect(error.problems).toEqual([expect.stringMatching(/^SESSION_SECRET: /)]);
  });

  it('refuses the default session secret in production, and only there', () => {
    const error = configError(() => loadConfig({ CADREFLOW_ENV: 'production' }));
    expect(error.problems).toEqual(['SESSION_SECRET: must be set in production']);
    expect(() =>
      loadConfig({ CADREFLOW_ENV: 'production', SESSION_SECRET: CONFIG_VARIABLES.SESSION_SECRET.default })
    ).toThrow(ConfigError);
    expect(loadConfig({ CADREFLOW_ENV: 'production', SESSION_SECRET: TEST_SECRET }).api.sessionSecret).toBe(
      TEST_SECRET
    );
    expect(loadConfig({ CADREFLOW_ENV: 'test' }).env).toBe('test');
    expect(configError(() => loadConfig({ CADREFLOW_ENV: 'prod' })).problems[0]).toMatch(/^CADREFLOW_ENV: /);
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ HOME: '/root', PATH: '/usr/bin' })).toEqual(loadConfig({}));
  });
});

describe('describeConfig', () => {
  it('masks the SMTP password, the session secret and the credentials in the MongoDB URL', () => {
    const config = loadConfig({
      SMTP_USER: 'vanthu',
      SMTP_PASSWORD: 'smtp-pass-1234',
      SESSION_SECRET: TEST_SECRET,
      MONGODB_URL: 'mongodb://cadreflow:mongo-pass-5678@db1:27017,db2:27017/cadreflow?replicaSet=rs0',
    });
    const described = describeConfig(config);
    const text = JSON.stringify(described);
    for (const secret of ['smtp-pass-1234', TEST_SECRET, 'mongo-pass-5678']) expect(text).not.toContain(secret);
    expect(described).toMatchObject({
      mongodbUrl: 'mongodb://***@db1:27017,db2:27017/cadreflow?replicaSet=rs0',
      smtp: { user: 'vanthu', password: '***', host: '127.0.0.1' },
      api: { sessionSecret: '***', port: 8080 },
    });
    // The configuration itself is left as it was.
    expect(config.smtp.password).toBe('smtp-pass-1234');
  });

  it('shows that no SMTP password is set, and a URL without credentials as it is', () => {
    const described = describeConfig(loadConfig({}));
    expect(described).toMatchObject({
      mongodbUrl: 'mongodb://127.0.0.1:27017/cadreflow',
      smtp: { password: '' },
      api: { sessionSecret: '***' },
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// docker-compose.yml

const composeService = z.object({
  image: z.string().optional(),
  build: z.string().optional(),
  command: z.array(z.string()).optional(),
  entrypoint: z.array(z.string()).optional(),
  restart: z.enum(['no', 'always', 'on-failure', 'unless-stopped']).optional(),
  // Compose accepts numbers and booleans here too; we keep every value a string, as the process sees it.
  environment: z.record(z.string(), z.string()).optional(),
  depends_on: z
    .record(
      z.string(),
      z.object({ condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']) })
    )
    .optional(),
  healthcheck: z.object({ test: z.array(z.string()).min(2) }).optional(),
  ports: z.array(z.string()).optional(),
});
const composeFile = z.object({
  services: z.record(z.string(), composeService),
  volumes: z.record(z.string(), z.null()).optional(),
});
type ComposeService = z.infer<typeof composeService>;

const compose = composeFile.parse(
  parse(readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8'), { merge: true, uniqueKeys: true })
);

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/**
 * Compose's interpolation of a value from the shell environment: $$, $VAR, ${VAR}, ${VAR:-default},
 * ${VAR-default}, ${VAR:?message}, ${VAR?message}. Anything else (nesting included) is refused.
 */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  const pattern = /\$(?:(\$)|\{([A-Za-z_]\w*)(?:(:?)([-?])([^${}]*))?\}|([A-Za-z_]\w*))|\$/g;
  return value.replace(
    pattern,
    (
      _match: string,
      dollar: string | undefined,
      braced: string | undefined,
      colon: string | undefined,
      op: string | undefined,
      arg: string | undefined,
      bare: string | undefined
    ) => {
      if (dollar) return '$';
      const name = braced ?? bare;
      if (!name) throw new Error(`invalid interpolation in ${JSON.stringify(value)}`);
      const current = env[name];
      const missing = current === undefined || (colon === ':' && current === '');
      if (op === '-') return missing ? (arg ?? '') : current;
      if (op === '?') {
        if (missing) throw new Error(`${name}: ${arg ?? ''}`);
        return current;
      }
      return current ?? '';
    }
  );
}

function environmentOf(name: string, env: Record<string, string | undefined>): Record<string, string> {
  const raw = service(name).environment ?? {};
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, interpolate(value, env)]));
}

const CADREFLOW_SERVICES = ['cadreflow-worker', 'cadreflow-api'] as const;
const KNOWN = new Set(Object.keys(CONFIG_VARIABLES));
/** Variables of the dev stack and the tests only, by their documentation ("dev stack only: …"). */
const DEV_ONLY = new Set(
  Object.entries(CONFIG_VARIABLES)
    .filter(([, spec]) => /^dev\b[^:]*\bonly:/.test(spec.doc))
    .map(([name]) => name)
);

describe('compose interpolation (the helper of these tests)', () => {
  it('follows the forms compose understands', () => {
    const env = { SET: 'x', EMPTY: '' };
    expect(interpolate('a$$b', env)).toBe('a$b');
    expect(interpolate('$SET/${SET}', env)).toBe('x/x');
    expect(interpolate('${UNSET:-d}|${EMPTY:-d}|${EMPTY-d}|${UNSET-d}', env)).toBe('d|d||d');
    expect(interpolate('${UNSET}', env)).toBe('');
    expect(() => interpolate('${UNSET:?set it}', env)).toThrow('UNSET: set it');
    expect(() => interpolate('${EMPTY:?set it}', env)).toThrow('EMPTY: set it');
    expect(interpolate('${EMPTY?set it}', env)).toBe('');
    expect(() => interpolate('${A:-${B}}', env)).toThrow('invalid interpolation');
    expect(() => interpolate('cost: 5$', env)).toThrow('invalid interpolation');
  });
});

describe('docker-compose.yml', () => {
  it('runs the worker and the API from one image, each with its own command', () => {
    const worker = service('cadreflow-worker');
    const api = service('cadreflow-api');
    expect(worker.build).toBe('.');
    expect(api.build).toBe('.');
    expect(worker.image).toBeDefined();
    expect(worker.image).toBe(api.image);
    expect(worker.command).toEqual(['node', 'dist/worker/main.js']);
    expect(api.command).toEqual(['node', 'dist/client/api/main.js']);
    const dockerfile = readFileSync(join(__dirname, '..', '..', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/client\/api\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim AS build$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it.each(CADREFLOW_SERVICES)('sets for %s only variables that the configuration loader knows', (name) => {
    const keys = Object.keys(service(name).environment ?? {});
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((key) => !KNOWN.has(key))).toEqual([]);
  });

  it('sets every variable for the API except the dev-only ones such as DATA_DIR', () => {
    expect(DEV_ONLY).toContain('DATA_DIR');
    const keys = new Set(Object.keys(service('cadreflow-api').environment ?? {}));
    expect([...KNOWN].filter((key) => !keys.has(key))).toEqual([...KNOWN].filter((key) => DEV_ONLY.has(key)));
    for (const name of CADREFLOW_SERVICES) {
      expect(Object.keys(service(name).environment ?? {}).filter((key) => DEV_ONLY.has(key))).toEqual([]);
    }
  });

  it.each(CADREFLOW_SERVICES)('gives %s values that loadConfig accepts for production', (name) => {
    const config = loadConfig(environmentOf(name, { SESSION_SECRET: TEST_SECRET }));
    expect(config).toMatchObject({
      env: 'production',
      temporal: { address: 'temporal:7233', namespace: 'cadreflow', taskQueue: 'cadreflow' },
      mongodbUrl: 'mongodb://mongo:27017/cadreflow?replicaSet=rs0',
      smtp: { host: 'mailpit', port: 1025, secure: false, user: '', password: '' },
      logLevel: 'info',
    });
    expect(config.api.sessionSecret).toBe(TEST_SECRET);
    expect(config.publicUrl).toMatch(/^https?:\/\//);
  });

  it('gives the API an address reachable from outside its container, on its published port', () => {
    const config = loadConfig(environmentOf('cadreflow-api', { SESSION_SECRET: TEST_SECRET }));
    expect(config.api.host).toBe('0.0.0.0');
    expect(service('cadreflow-api').ports).toContain(`${config.api.port}:${config.api.port}`);
  });

  it('lets the operator override the deployment-specific values from the shell', () => {
    const config = loadConfig(
      environmentOf('cadreflow-api', {
        SESSION_SECRET: TEST_SECRET,
        PUBLIC_URL: 'https://cadreflow.tinhuy.gov.vn/',
        SMTP_HOST: 'mail.tinhuy.gov.vn',
        SMTP_PORT: '465',
        SMTP_SECURE: 'true',
        SMTP_USER: 'cadreflow',
        SMTP_PASSWORD: 'smtp-secret',
        LOG_LEVEL: 'warn',
      })
    );
    expect(config.publicUrl).toBe('https://cadreflow.tinhuy.gov.vn');
    expect(config.smtp).toMatchObject({ host: 'mail.tinhuy.gov.vn', port: 465, secure: true, user: 'cadreflow' });
    expect(config.logLevel).toBe('warn');
  });

  it.each(CADREFLOW_SERVICES)('does not start %s without SESSION_SECRET', (name) => {
    expect(() => environmentOf(name, {})).toThrow('SESSION_SECRET: set SESSION_SECRET');
    expect(() => environmentOf(name, { SESSION_SECRET: '' })).toThrow('SESSION_SECRET');
  });

  it('points the cadreflow services at servers of the same file, consistently configured', () => {
    const env = environmentOf('cadreflow-worker', { SESSION_SECRET: TEST_SECRET });
    const [temporalHost] = env.TEMPORAL_ADDRESS!.split(':');
    expect(compose.services[temporalHost!]?.image).toMatch(/^temporalio\/auto-setup:1\.29\.\d+$/);
    const mongoUrl = new URL(env.MONGODB_URL!);
    expect(compose.services[mongoUrl.hostname]?.image).toMatch(/^mongo:7/);
    const replicaSet = mongoUrl.searchParams.get('replicaSet');
    expect(service(mongoUrl.hostname).command).toEqual(expect.arrayContaining(['--replSet', replicaSet]));
    expect(service(mongoUrl.hostname).healthcheck!.test.join(' ')).toContain(`_id: '${replicaSet}'`);
    expect(compose.services[env.SMTP_HOST!]?.image).toMatch(/^axllent\/mailpit:/);

    const temporal = environmentOf(temporalHost!, { POSTGRES_PASSWORD: 'pg' });
    expect(temporal.DEFAULT_NAMESPACE).toBe(env.TEMPORAL_NAMESPACE);
    expect(service(temporalHost!).healthcheck!.test).toEqual(
      expect.arrayContaining(['namespace', env.TEMPORAL_NAMESPACE, env.TEMPORAL_ADDRESS])
    );
    expect(compose.services[temporal.POSTGRES_SEEDS!]?.image).toMatch(/^postgres:16/);
    expect(environmentOf('temporal-ui', {}).TEMPORAL_ADDRESS).toBe(env.TEMPORAL_ADDRESS);
  });

  it('registers every cadreflow search attribute in the namespace of the services', () => {
    const admin = service('temporal-admin-tools');
    expect(admin.image).toMatch(/^temporalio\/admin-tools:1\.29\./);
    const env = environmentOf('temporal-admin-tools', {});
    const worker = environmentOf('cadreflow-worker', { SESSION_SECRET: TEST_SECRET });
    expect(env.TEMPORAL_NAMESPACE).toBe(worker.TEMPORAL_NAMESPACE);
    expect(env.TEMPORAL_ADDRESS).toBe(worker.TEMPORAL_ADDRESS);
    const script = interpolate((admin.command ?? []).join('\n'), {});
    const names = /for name in ([\w ]+); do/.exec(script)?.[1]?.split(' ');
    expect(names?.sort()).toEqual(Object.keys(SEARCH_ATTRIBUTES).sort());
    expect(new Set(Object.values(SEARCH_ATTRIBUTES))).toEqual(new Set(['Keyword']));
    expect(script).toContain('temporal operator search-attribute create --name "$name" --type Keyword');
    expect(script).toContain('already exists');
    expect(admin.restart).toBe('no');
  });

  it('waits only on health checks that exist, and restarts every long-running service', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(svc.depends_on ?? {})) {
        const target = service(dependency);
        if (condition === 'service_healthy')
          expect({ name, dependency, health: !!target.healthcheck }).toEqual({
            name,
            dependency,
            health: true,
          });
        if (condition === 'service_completed_successfully') expect(target.restart).toBe('no');
      }
      if (name !== 'temporal-admin-tools')
        expect({ name, restart: svc.restart }).toEqual({ name, restart: 'unless-stopped' });
    }
    for (const name of CADREFLOW_SERVICES) {
      expect(service(name).depends_on).toMatchObject({
        temporal: { condition: 'service_healthy' },
        mongo: { condition: 'service_healthy' },
        'temporal-admin-tools': { condition: 'service_completed_successfully' },
      });
    }
  });
});
