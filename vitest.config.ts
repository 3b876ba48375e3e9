import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql ships ESM and CJS builds; some dependencies require() it. One copy only, or graphql-js
  // refuses types "from another module or realm".
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/faults/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start servers, simulators and redis-server processes; two cores here.
    maxWorkers: 2,
  },
});
