/** Jest in native ESM mode (needs NODE_OPTIONS=--experimental-vm-modules, set by `npm test`). */
export default {
  testEnvironment: 'node',
  testMatch: ['**/__tests__/**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testTimeout: 30000,
  // Two cores: most suites wait on emulators and child processes, so two workers halve the wall time.
  maxWorkers: 2,
  clearMocks: true
}
