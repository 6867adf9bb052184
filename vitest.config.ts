import { defineConfig } from 'vitest/config';

/**
 * The burst test measures acknowledgements against Discord's 3 s rule, and the short chaos soak runs the bot as a
 * child process with real kills against its own deadlines: each runs alone, after everything else, one after the
 * other (projects with a higher groupOrder start when the lower ones are done).
 */
const burst = 'test/e2e/burst-acknowledgement.test.ts';
const soak = 'test/e2e/chaos-soak-short.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: end-to-end files each start a bot and two stand-ins.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [burst, soak] } },
      { extends: true, test: { name: 'alone', include: [burst], sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'soak', include: [soak], sequence: { groupOrder: 2 } } },
    ],
  },
});
