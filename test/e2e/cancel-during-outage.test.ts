import { describe, expect, it } from 'vitest';
import { statusAt } from '../fakes/replicate/prediction.js';
import { OutageDriver } from '../harness/replicate-outage.js';
import { useWorld } from '../harness/use-world.js';
import { cancelButtonOf, replyShowing, requestVideo } from '../harness/video-steps.js';

const world = useWorld({ tuning: { retry: { baseDelayMs: 1_000, maxDelayMs: 10_000 } } });
const member = { id: '520000000000000001', username: 'olga' };

describe('canceling while Replicate cannot be reached for the create', () => {
  it('shows Canceled at once, and cancels the prediction the lost create made once Replicate answers', async () => {
    const w = world();
    const driver = new OutageDriver(w);
    w.replicate.script({ durationMs: 30 * 60_000 });
    // The create reaches Replicate and is made, but the bot only gets 503s back, for as long as the outage lasts.
    await w.replicate.outage({ status: 503, processed: true });
    const sent = requestVideo(w, member, 'a lighthouse keeper');
    const progress = await replyShowing(w, sent, /^Starting/);
    await driver.rideOut(60_000);

    w.discord.pressButton({ message: progress, customId: cancelButtonOf(progress), user: member });
    const canceled = await replyShowing(w, sent, /^Canceled/);
    expect(canceled.components).toEqual([]);
    const jobId = (w.logs.find('job queued')[0]!.jobId as string);
    expect((await w.bot.store.getJob(jobId))?.state).toBe('canceled');

    // Replicate answers again: the prediction that was made anyway is found and canceled, not left running.
    await w.replicate.restore();
    await driver.until(() => w.replicate.requestCount('cancel') > 0);
    const prediction = w.replicate.predictions[0]!;
    expect(w.replicate.predictions).toHaveLength(1);
    expect(statusAt(prediction, w.clock.now())).toBe('canceled');
    expect(w.discord.interaction(sent.id).followUps).toEqual([]);
  });
});
