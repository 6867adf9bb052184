import { defineConfig } from 'vitest/config';

/** The burst test measures acknowledgements against Discord's 3 s rule: it runs alone, after everything else. */
const alone = ['test/e2e/burst-acknowledgement.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: end-to-end files each start a bot and two stand-ins.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: alone } },
      { extends: true, test: { name: 'alone', include: alone, sequence: { groupOrder: 1 } } },
    ],
  },
});
