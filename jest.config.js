/** @type {import('jest').Config} */
module.exports = {
  // Synthesizing with the policy packs takes a few seconds per app; each app test file starts a
  // real PostgreSQL. (Jest reads testTimeout from the top level only, not from a project.)
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'kit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      transform: { '^.+\\.ts$': 'ts-jest' },
    },
    {
      // The reference application (app/): its own package, dependencies and tsconfig.
      displayName: 'app',
      testEnvironment: 'node',
      rootDir: '<rootDir>/app',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
    },
  ],
};
