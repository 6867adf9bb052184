import { describe, expect, it } from 'vitest';
import { OutageDriver } from '../harness/replicate-outage.js';
import { useWorld } from '../harness/use-world.js';
import { requestVideo } from '../harness/video-steps.js';

/** Production-like backoff (1 s doubling to a 10 s cap), so ten minutes of outage are dozens of tries. */
const world = useWorld({ tuning: { retry: { baseDelayMs: 1_000, maxDelayMs: 10_000 } } });
const minutes = (n: number) => n * 60_000;
const member = { id: '510000000000000001', username: 'ines' };

describe('Replicate unreachable for minutes while a job is being created', () => {
  it('a create Replicate accepted but answered with 503, then ten minutes of 503s: delivered once it answers, one prediction', async () => {
    const w = world();
    const driver = new OutageDriver(w);
    await w.replicate.outage({ status: 503, processed: true });
    const startedAt = w.clock.now();
    const sent = requestVideo(w, member, 'a heron on one leg');
    await w.discord.waitFor(() => w.replicate.predictions.length === 1, { description: 'the create to be made' });

    const retries = await driver.rideOut(minutes(10));
    await w.replicate.restore();
    const record = await driver.until(() => w.discord.interaction(sent.id).followUps.length > 0 && w.discord.interaction(sent.id));

    expect(w.clock.now() - startedAt).toBeGreaterThanOrEqual(minutes(10));
    expect(retries).toBeGreaterThan(30);
    expect(record.original!.attachments).toHaveLength(1);
    expect(record.originalHistory.some((m) => m.content.startsWith('❌'))).toBe(false);
    expect(w.replicate.predictions).toHaveLength(1);
    expect(w.replicate.requestCount('create')).toBe(1);
    expect(w.logs.find('prediction adopted after an ambiguous create')).toHaveLength(1);
    expect(w.logs.find('job failed')).toEqual([]);
  });

  it('every connection refused from the start for ten minutes: created once when Replicate is back, and delivered', async () => {
    const w = world();
    const driver = new OutageDriver(w);
    // The start read the model's schema; nothing reaches Replicate after that until the outage ends.
    expect(w.replicate.requests.map((r) => r.route)).toEqual(['model-get']);
    await w.replicate.outage({ refused: true });
    const sent = requestVideo(w, member, 'a lantern festival');

    await driver.rideOut(minutes(10));
    expect(w.replicate.requests.map((r) => r.route)).toEqual(['model-get']);
    await w.replicate.restore();
    const record = await driver.until(() => w.discord.interaction(sent.id).followUps.length > 0 && w.discord.interaction(sent.id));

    expect(record.original!.attachments).toHaveLength(1);
    expect(record.originalHistory.some((m) => m.content.startsWith('❌'))).toBe(false);
    expect(w.replicate.predictions).toHaveLength(1);
    // The refused create may have left a trace for all the bot knows: it looked before creating again.
    const wire = w.replicate.requests.map((r) => r.route).filter((r) => r === 'list' || r === 'create');
    expect(wire).toEqual(['list', 'create']);
  });
});
