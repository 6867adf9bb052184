import { describe, expect, it } from 'vitest';
import { defaultOptions, type SoakOptions } from '../../bench/soak/plan.js';
import { renderReport } from '../../bench/soak/report.js';
import { runSoak } from '../../bench/soak/run-soak.js';

/**
 * `npm run soak`, short: 30 jobs across 20 guilds, 2 kills with SIGKILL, a fixed seed. The targets are the soak's:
 * nothing lost, no second prediction, no video posted twice, no job failed for a fault of ours.
 */
/**
 * Of issue 11's fault kinds, output download outages and two members pressing Regenerate at once run here with the
 * other faults; a lease holder frozen past its lease and resumed takes about 20 s a freeze, so it runs in
 * `npm run soak` (and test/e2e/lease-holder-paused.test.ts), not here.
 */
const short: SoakOptions = {
  ...defaultOptions,
  freezes: 0,
  regenerates: 2,
  jobs: 30,
  kills: 2,
  seed: 20261201,
  storms: 1,
  stormMs: [2_000, 5_000],
  timeoutMs: 45_000,
  idleMs: 20_000,
};

function expectTargetsHeld(report: Awaited<ReturnType<typeof runSoak>>): void {
  const table = renderReport(report);
  expect(report.misses, table).toEqual([]);
  expect(report.totals.lost, table).toBe(0);
  expect(report.totals.duplicatePredictions, table).toBe(0);
  expect(report.totals.duplicateVideoPosts, table).toBe(0);
  expect(report.totals.failedOurFault, table).toBe(0);
  expect(report.totals.sharedPredictions, table).toBe(0);
  expect(report.totals.doubleCharges, table).toBe(0);
  expect(report.kills).toBe(2);
  // The run did something: most jobs reached their member with a video.
  expect(report.totals.delivered, table).toBeGreaterThanOrEqual(20);
}

describe('the short chaos soak', () => {
  it('a bot killed twice with SIGKILL while 30 jobs run loses none and never creates or posts one twice', async () => {
    const report = await runSoak({ ...short, chaos: 0, storms: 0, outputOutageRate: 0, regenerates: 0 });
    expectTargetsHeld(report);
    expect(report.faults.replicate).toEqual({});
  }, 90_000);

  it('with Replicate, Discord and store faults injected besides the kills, every job still ends as it should', async () => {
    const report = await runSoak(short);
    expectTargetsHeld(report);
    const injected = Object.values(report.faults).flatMap((counts) => Object.values(counts));
    expect(injected.reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
  }, 90_000);
});
