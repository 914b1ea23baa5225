// Jest runs in ESM mode (NestJS 12 is ESM-only); TypeScript goes through @swc/jest.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^@paddock/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
  },
  testEnvironment: 'node',
};

export default {
  projects: [
    // fast, in-process specs next to the code
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/src/**/*.spec.ts', '<rootDir>/apps/**/src/**/*.spec.ts'] },
    // real processes of the built server: crash recovery, fuzzing over sockets, bad clients
    { ...common, displayName: 'system', testMatch: ['<rootDir>/test/system/**/*.test.ts'] },
    // differential tests against a real Apache ZooKeeper 3.8
    { ...common, displayName: 'compat', testMatch: ['<rootDir>/test/compat/**/*.test.ts'] },
    // unmodified third-party clients against Paddock
    { ...common, displayName: 'interop', testMatch: ['<rootDir>/test/interop/**/*.test.ts'] },
    // the TypeScript client SDK, recipes and shell against Paddock and a real Apache ZooKeeper
    { ...common, displayName: 'sdk', testMatch: ['<rootDir>/test/sdk/**/*.test.ts'] },
    // the governance platform's domain library (registry, config center, switches) against Paddock and Apache ZooKeeper
    { ...common, displayName: 'platform', testMatch: ['<rootDir>/test/platform/**/*.test.ts'] },
    // the NestJS backend (apps/api) as a real process: embedded store member, private redis-server, SQLite
    { ...common, displayName: 'api', testMatch: ['<rootDir>/test/api/**/*.test.ts'] },
    // seeded single-threaded simulation of ZAB ensembles with faults (pure core + data tree)
    { ...common, displayName: 'sim', testMatch: ['<rootDir>/test/sim/**/*.test.ts'] },
    // the Next.js console (apps/console) in headless Chromium against the real API process
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
