/** Jest runs the TypeScript sources directly; `npm test` type-checks them first with tsc. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Suites about several instances sharing one database (`*.pg.test.ts`) need PostgreSQL: SQLite is one process.
  testPathIgnorePatterns: process.env.DATABASE_URL ? ['/node_modules/'] : ['/node_modules/', '\\.pg\\.test\\.ts$'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 30000,
  // Says which suites this machine cannot run (no browser, no DATABASE_URL) and how to run them.
  globalSetup: '<rootDir>/test/helpers/globalSetup.js',
  // The suites share one PostgreSQL server and each builds its own schema; half the cores keeps them fair.
  maxWorkers: '50%',
};
