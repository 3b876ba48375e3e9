import { defineConfig } from 'vitest/config';

/**
 * `npm run test:unit`: the inner-loop lane. Only tests that start no server, simulator, Redis or
 * child process (chosen by what they import, not by folder), so it runs in seconds. `npm test`
 * still runs everything (vitest.config.ts and vitest.faults.config.ts).
 */
export default defineConfig({
  // Same single graphql copy as vitest.config.ts.
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/callbacks/download-links.test.ts',
      'test/callbacks/payload.test.ts',
      'test/callbacks/signing.test.ts',
      'test/discord/classifier-corpus.test.ts',
      'test/discord/replies.test.ts',
      'test/discord/rest-errors.test.ts',
      'test/doctor/checks.test.ts',
      'test/graphql/schema-conventions.test.ts',
      'test/graphql/schema-descriptions.test.ts',
      'test/metrics/blob-store.test.ts',
      'test/simulator/independence.test.ts',
      'test/simulator/option-check.test.ts',
    ],
    testTimeout: 5_000,
  },
});
