import type { Prediction } from 'replicate';
import { describe, expect, it } from 'vitest';
import type { PredictionStatusName } from '../../src/queue/ports.js';
import { createPredictionInbox } from '../../src/replicate/prediction-inbox.js';
import { makeJob } from '../fakes/replicate/runner-fixture.js';
import { waitUntil } from '../harness/bot-process.js';
import { JumpClock, ManualClock } from '../harness/test-clock.js';
import { useRunnerFixture } from '../harness/use-runner-fixture.js';

const fixture = useRunnerFixture();

/** A runner in webhook mode whose webhooks go nowhere: the test hands the inbox what Replicate would send. */
async function webhookRunner(durationMs = 300) {
  const clock = new JumpClock();
  const inbox = createPredictionInbox(clock);
  const started = await fixture({
    clock,
    fake: { defaultDurationMs: durationMs },
    runner: { webhook: { publicUrl: 'http://127.0.0.1:9', owner: 'shard-2', inbox } },
  });
  return { ...started, clock, inbox };
}

const prediction = (id: string, status: PredictionStatusName, output?: string) => ({ id, status, output: output ?? null }) as unknown as Prediction;

describe('prediction runner in webhook mode', () => {
  it('creates with a webhook naming its owner and the start and completed events', async () => {
    const { fake, runner } = await webhookRunner();
    await runner.create(makeJob({ prompt: 'p' }), undefined);
    expect(fake.predictions[0]).toMatchObject({
      webhook: 'http://127.0.0.1:9/webhooks/replicate/shard-2',
      webhookEvents: ['start', 'completed'],
    });
  });

  it('ends on delivered webhooks without polling, a delivery before the wait kept, a status going back ignored', async () => {
    const { fake, runner, inbox } = await webhookRunner(60_000);
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    expect(inbox.deliver(prediction(created.id, 'processing'))).toBe(true);
    const seen: string[] = [];
    const ended = runner.waitForEnd(created.id, { onUpdate: (s) => seen.push(s.status) });
    await waitUntil(() => seen.length === 1, { description: 'the kept delivery' });
    inbox.deliver(prediction(created.id, 'starting'));
    inbox.deliver(prediction(created.id, 'succeeded', 'https://replicate.delivery/x.mp4'));
    expect(await ended).toMatchObject({ status: 'succeeded', output: 'https://replicate.delivery/x.mp4' });
    expect(seen).toEqual(['processing', 'succeeded']);
    expect(fake.requestCount('get')).toBe(0);
    // The wait is over: a late delivery is not this process's any more.
    expect(inbox.deliver(prediction(created.id, 'processing'))).toBe(false);
  });

  it('polls once a minute as a safety net when no webhook comes', async () => {
    // The runner on a clock that moves only when told, the fake Replicate on its own: what the runner will do next
    // is its pending timer, so "no poll before a minute" is read from the clock, not hoped from a pause.
    const clock = new ManualClock();
    const replicateClock = new JumpClock();
    const inbox = createPredictionInbox(clock);
    const { fake, runner } = await fixture({
      clock,
      fake: { defaultDurationMs: 90_000, clock: replicateClock },
      runner: { webhook: { publicUrl: 'http://127.0.0.1:9', owner: 'shard-2', inbox } },
    });
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    const createdAt = clock.now();
    const ended = runner.waitForEnd(created.id, {});
    await waitUntil(() => clock.nextDue() !== undefined, { description: 'the wait to arm its timer' });
    expect(clock.nextDue()).toBe(createdAt + 60_000);
    await clock.advance(59_999);
    expect(fake.requestCount('get')).toBe(0);

    replicateClock.jump(60_000);
    await clock.advance(1);
    await waitUntil(() => fake.requestCount('get') === 1, { description: 'the first safety-net poll' });
    const polledAt = clock.now();
    await waitUntil(() => clock.nextDue() !== undefined, { description: 'the next safety-net poll to be armed' });
    expect(clock.nextDue()).toBe(polledAt + 60_000);
    await clock.advance(30_000);
    expect(fake.requestCount('get')).toBe(1);

    replicateClock.jump(60_000);
    await clock.advance(30_000);
    expect(await ended).toMatchObject({ status: 'succeeded' });
    expect(fake.requestCount('get')).toBe(2);
  });

  it('polls a prediction it did not create in this run (recovered after a restart) at once', async () => {
    const { fake, runner } = await webhookRunner();
    // Made by the process before the restart.
    const response = await fetch(`${fake.baseUrl}/models/kwaivgi/kling-v1.6-standard/predictions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input: { prompt: 'p' } }),
    });
    const { id } = (await response.json()) as { id: string };
    await waitUntil(() => fake.predictions[0]!.createdAt + 300 < Date.now(), { description: 'the prediction to end' });
    expect(await runner.waitForEnd(id, {})).toMatchObject({ status: 'succeeded' });
    expect(fake.requestCount('get')).toBe(1);
  });
});
