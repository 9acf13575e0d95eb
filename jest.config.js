/** Jest runs the TypeScript sources directly; `npm test` type-checks them first with tsc. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 30000,
  // The suites share one PostgreSQL server and each builds its own schema; half the cores keeps them fair.
  maxWorkers: '50%',
};
