import { describe, expect, it } from 'vitest';
import { OutageDriver } from '../harness/replicate-outage.js';
import { useWorld } from '../harness/use-world.js';
import { requestVideo } from '../harness/video-steps.js';

/** Production-like backoff (1 s doubling to a 10 s cap), so ten minutes of outage are dozens of tries. */
const world = useWorld({ tuning: { retry: { baseDelayMs: 1_000, maxDelayMs: 10_000 } } });
const minutes = (n: number) => n * 60_000;
const member = { id: '520000000000000001', username: 'otto' };

describe('Replicate unreachable while a restarted bot recovers a job that was mid-create', () => {
  it('keeps the job starting through ten minutes of outage, adopts the prediction when Replicate answers, and delivers it', async () => {
    const w = world();
    const driver = new OutageDriver(w);
    // The create reaches Replicate, which makes the prediction but answers 503, and keeps failing after that.
    await w.replicate.outage({ status: 503, processed: true });
    const sent = requestVideo(w, member, 'a glacier calving');
    await w.discord.waitFor(() => w.replicate.predictions.length === 1, { description: 'the create to be made' });
    const jobId = String(w.logs.find('job queued')[0]!.jobId);

    await w.restart();
    const parked = await w.bot.store.getJob(jobId);
    expect(parked).toMatchObject({ state: 'starting' });
    expect(parked?.createStartedAt).toBeTypeOf('number');
    expect(parked?.predictionId).toBeUndefined();

    await driver.rideOut(minutes(10));
    expect((await w.bot.store.getJob(jobId))?.state).toBe('starting');
    await w.replicate.restore();
    const record = await driver.until(() => w.discord.interaction(sent.id).followUps.length > 0 && w.discord.interaction(sent.id));

    expect(record.original!.attachments).toHaveLength(1);
    expect(record.originalHistory.some((m) => m.content.startsWith('❌'))).toBe(false);
    expect(w.replicate.predictions).toHaveLength(1);
    expect(w.replicate.requestCount('create')).toBe(1);
    expect(w.logs.find('prediction adopted')[0]).toMatchObject({ jobId, predictionId: w.replicate.predictions[0]!.id });
    expect(w.logs.find('job failed')).toEqual([]);
  });
});
