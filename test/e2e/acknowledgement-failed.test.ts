import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld();

describe('a request Discord would not let the bot acknowledge', () => {
  it('ends quietly: no prediction, nothing left active, and the next request runs', async () => {
    const w = world();
    w.discord.failNext({ method: 'POST', pathPattern: /\/interactions\/\d+\/[^/]+\/callback/, status: 503, times: 10 });
    const lost = requestVideo(w, { id: '530000000000000001', username: 'pia' }, 'a comet over the sea');
    const line = await w.logs.waitFor('job dropped: never acknowledged');
    await untilNoActiveJobs(w);
    expect((await w.bot.store.getJob(line.jobId as string))?.state).toBe('canceled');
    expect(w.replicate.predictions).toEqual([]);
    expect(w.discord.interaction(lost.id).original).toBeUndefined();

    w.discord.clearFaults();
    const next = requestVideo(w, { id: '530000000000000001', username: 'pia' }, 'a comet over the land');
    await w.discord.waitFor((d) => d.interaction(next.id).followUps.length > 0, { description: 'the next video' });
    expect(w.replicate.predictions).toHaveLength(1);
  });
});
