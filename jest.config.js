// Two projects: `unit` runs the pure domain tests with no server; `integration` shares one Temporal dev
// server, one MongoDB-protocol server and one SMTP server started by the global setup.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
// Packages that ship only ES modules (typebox 1.x; content-disposition under @fastify/static; cookie under light-my-request), which jest's
// CommonJS runtime cannot load: compiled to CommonJS for the tests.
const ESM_ONLY = '(typebox|content-disposition|cookie)';
const esmToCjs = ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }];

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  // Integration tests run real timers against real servers; unit tests finish in milliseconds anyway.
  testTimeout: 120000,
  coverageProvider: 'v8',
  collectCoverageFrom: ['domain/**/*.ts'],
  coverageThreshold: { './domain/': { lines: 95 } },
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest, [`/node_modules/${ESM_ONLY}/.+\\.m?js$`]: esmToCjs },
      transformIgnorePatterns: [`/node_modules/(?!${ESM_ONLY}/)`],
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
      // Runs only when a test of this project runs, so `npm run test:unit` starts no server.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
