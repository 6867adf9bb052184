import { afterEach } from 'vitest';
import type { FakeReplicate } from '../fakes/replicate/fake-replicate.js';
import { startRunnerFixture } from '../fakes/replicate/runner-fixture.js';

/**
 * A prediction runner against its own fake Replicate, per test: returns the starter; the fake is checked for
 * unexpected requests and closed after each test.
 */
export function useRunnerFixture(): typeof startRunnerFixture {
  let fake: FakeReplicate | undefined;
  afterEach(async () => {
    const current = fake;
    fake = undefined;
    try {
      current?.assertNoUnexpectedRequests();
    } finally {
      await current?.close();
    }
  });
  return async (options = {}) => {
    const started = await startRunnerFixture(options);
    fake = started.fake;
    return started;
  };
}
