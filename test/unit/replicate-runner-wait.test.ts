import { describe, expect, it } from 'vitest';
import { GenerationHistory } from '../../src/queue/eta.js';
import { JobFailure, type PredictionSnapshot } from '../../src/queue/ports.js';
import { describePredictionEnd } from '../../src/queue/describe.js';
import { waitUntil } from '../harness/bot-process.js';
import { JumpClock, ManualClock } from '../harness/test-clock.js';
import { makeJob } from '../fakes/replicate/runner-fixture.js';
import { useRunnerFixture } from '../harness/use-runner-fixture.js';

const fixture = useRunnerFixture();

describe('prediction runner: waiting and canceling', () => {
  it('polls until the video is made, reports each status once and learns the generation time', async () => {
    const { fake, runner, saved } = await fixture();
    const startedAt = Date.now();
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    const seen: PredictionSnapshot[] = [];
    const end = await runner.waitForEnd(created.id, { startedAt, onUpdate: (s) => seen.push(s) });
    expect(end).toMatchObject({ id: created.id, status: 'succeeded' });
    expect(end.output).toBe(`${fake.baseUrl.replace('/v1', '')}/files-out/${created.id}.mp4`);
    expect((await fetch(end.output as string)).status).toBe(200);
    const statuses = seen.map((s) => s.status);
    expect(new Set(statuses).size).toBe(statuses.length);
    expect(['starting', 'processing']).toContain(statuses[0]);
    expect(statuses.at(-1)).toBe('succeeded');
    // The fixture's history held one 300 ms sample of a 5 s clip; this run adds Replicate's own measure.
    expect(saved).toHaveLength(1);
    expect(saved[0]!.filter((s) => s.duration === 5)).toHaveLength(2);
    // 300 ms with E = 300 ms and B = 20 ms: the schedule's own figures, far from the client's 500 ms burst polling.
    expect(fake.requestCount('get')).toBeLessThanOrEqual(40);
  });

  it('a failed prediction ends with the model error, worded for the member', async () => {
    const { fake, runner } = await fixture();
    fake.script({ outcome: 'failed', error: 'Prompt flagged by the safety checker', durationMs: 100 });
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    const end = await runner.waitForEnd(created.id, {});
    expect(end).toMatchObject({ status: 'failed', error: 'Prompt flagged by the safety checker' });
    expect(describePredictionEnd(end)).toBe('The model could not make this video: Prompt flagged by the safety checker');
  });

  it('cancel stops the prediction at Replicate and the wait ends canceled', async () => {
    const { fake, runner } = await fixture({ fake: { defaultDurationMs: 60_000 } });
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    const waiting = runner.waitForEnd(created.id, {});
    fake.failNext({ route: 'cancel', status: 503 });
    await runner.cancel(created.id);
    expect(fake.requests.filter((r) => r.route === 'cancel').map((r) => r.status)).toEqual([503, 200]);
    expect(await waiting).toMatchObject({ status: 'canceled' });
  });

  it('a few failed polls (429, 500, reset) do not fail the job', async () => {
    const { fake, runner } = await fixture();
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    fake.failNext({ route: 'get', status: 500, times: 2 });
    fake.failNext({ route: 'get', reset: true });
    fake.failNext({ route: 'get', status: 429, retryAfterSeconds: 1 });
    const end = await runner.waitForEnd(created.id, {});
    expect(end.status).toBe('succeeded');
    expect(fake.requests.filter((r) => r.route === 'get').map((r) => r.status).slice(0, 4)).toEqual([500, 500, 0, 429]);
  });

  it('polls failing fifty times in a row keep going, never cancel, and the video arrives', async () => {
    const { fake, runner } = await fixture();
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    fake.failNext({ route: 'get', status: 502, times: 25 });
    fake.failNext({ route: 'get', reset: true, times: 25 });
    const end = await runner.waitForEnd(created.id, {});
    expect(end).toMatchObject({ id: created.id, status: 'succeeded' });
    expect(fake.requestCount('get')).toBeGreaterThan(50);
    expect(fake.requestCount('cancel')).toBe(0);
  });

  it('a long Retry-After on a poll is waited out, not a reason to give up', async () => {
    const clock = new JumpClock();
    const { fake, runner, logs } = await fixture({ clock, fake: { defaultDurationMs: 60_000 } });
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    fake.failNext({ route: 'get', status: 429, retryAfterSeconds: 600 });
    const waiting = runner.waitForEnd(created.id, {});
    await waitUntil(() => logs().find((l) => l.msg === 'prediction poll failed, retrying'));
    expect(logs().find((l) => l.msg === 'prediction poll failed, retrying')?.delayMs).toBe(600_000);
    clock.jump(600_000);
    expect(await waiting).toMatchObject({ status: 'succeeded' });
    expect(fake.requestCount('cancel')).toBe(0);
  });

  it('a refused token while polling keeps polling, with an error line for the operator', async () => {
    const { fake, runner, logs } = await fixture();
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    fake.failNext({ route: 'get', status: 403, times: 3 });
    expect(await runner.waitForEnd(created.id, {})).toMatchObject({ status: 'succeeded' });
    expect(logs().filter((l) => l.level === 50 && /^prediction poll refused: /.test(String(l.msg)))).toHaveLength(3);
  });

  it('a prediction Replicate does not know ends the wait with plain words, after the 404 is confirmed', async () => {
    const { fake, runner } = await fixture();
    const err = await runner.waitForEnd('r8nosuchprediction000000000', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobFailure);
    expect((err as JobFailure).reason).toBe('Replicate no longer has this video, so it cannot be delivered. Please run /video again.');
    expect(fake.requests.filter((r) => r.route === 'get').map((r) => r.status)).toEqual([404, 404, 404]);
  });

  it('a 404 or two from a prediction that exists are taken for a glitch', async () => {
    const { fake, runner } = await fixture();
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    fake.failNext({ route: 'get', status: 404, times: 2 });
    expect(await runner.waitForEnd(created.id, {})).toMatchObject({ status: 'succeeded' });
  });

  it('a cancel gives up soon when it cannot get through: at once on a refused token, after a few short waits on a long throttle', async () => {
    const clock = new JumpClock();
    const { fake, runner, logs } = await fixture({ clock, fake: { defaultDurationMs: 60_000 } });
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    fake.failNext({ route: 'cancel', status: 401 });
    await expect(runner.cancel(created.id)).rejects.toBeInstanceOf(JobFailure);
    expect(fake.requestCount('cancel')).toBe(1);

    fake.failNext({ route: 'cancel', status: 429, retryAfterSeconds: 3600, times: 10 });
    const canceling = runner.cancel(created.id).catch((e: unknown) => e);
    for (let tries = 1; tries < 5; tries++) {
      await waitUntil(() => logs().filter((l) => l.msg === 'prediction cancel failed, retrying').length >= tries);
      expect(logs().filter((l) => l.msg === 'prediction cancel failed, retrying').at(-1)?.delayMs).toBe(30_000);
      clock.jump(30_000);
    }
    expect(await canceling).toBeInstanceOf(JobFailure);
    expect(fake.requestCount('cancel')).toBe(6);
  });

  it('canceling a prediction Replicate does not know resolves quietly', async () => {
    const { fake, runner, logText } = await fixture();
    await runner.cancel('r8nosuchprediction000000000');
    expect(fake.requestCount('cancel')).toBe(1);
    expect(logText()).toContain('prediction to cancel is gone at replicate');
  });

  it('aborting the wait rejects with the reason and stops polling', async () => {
    // The runner on a clock that moves only when told: a poll can only come from a timer it left armed.
    const clock = new ManualClock();
    const { fake, runner } = await fixture({ clock, fake: { defaultDurationMs: 60_000, clock: new JumpClock() } });
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    const controller = new AbortController();
    const waiting = runner.waitForEnd(created.id, { signal: controller.signal });
    const deadline = Date.now() + 10_000;
    while (fake.requestCount('get') < 2) {
      if (Date.now() > deadline) throw new Error('timed out waiting for two polls');
      await clock.advance(20);
    }
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    const polls = fake.requestCount('get');
    expect(clock.nextDue()).toBeUndefined();
    await clock.advance(3_600_000);
    expect(fake.requestCount('get')).toBe(polls);
  });

  it('a finished prediction read after the retention hour reports its data removed', async () => {
    const clock = new JumpClock();
    const { runner } = await fixture({ clock });
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    clock.jump(2 * 3_600_000);
    const end = await runner.waitForEnd(created.id, {});
    expect(end).toMatchObject({ status: 'succeeded', dataRemoved: true });
    expect(end.output).toBeUndefined();
  });

  it('a real-length run on a jumping clock follows the adaptive schedule (E = 300 s, B = 5 s)', async () => {
    const clock = new JumpClock();
    const { fake, runner } = await fixture({
      clock,
      fake: { defaultDurationMs: 300_000 },
      runner: { pollIntervalMs: 5_000, times: { history: new GenerationHistory([{ duration: 5, ms: 300_000 }]), save: async () => {} } },
    });
    const startedAt = clock.now();
    const created = await runner.create(makeJob({ prompt: 'p' }), undefined);
    const waiting = runner.waitForEnd(created.id, { startedAt });
    let done = false;
    void waiting.finally(() => (done = true));
    while (!done) {
      clock.jump(500);
      await new Promise((r) => setTimeout(r, 1));
    }
    const end = await waiting;
    expect(end.status).toBe('succeeded');
    const gets = fake.requests.filter((r) => r.route === 'get');
    expect(gets.length).toBeLessThanOrEqual(40);
    const lastAt = (gets.at(-1)?.time ?? 0) - startedAt;
    // The schedule notices within 2 s; the 500 ms jumps of this harness add up to a little more.
    expect(lastAt - 300_000).toBeLessThanOrEqual(4_000);
  });
});
