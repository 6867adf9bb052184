import { describe, expect, it } from 'vitest';
import { useWorld } from '../harness/use-world.js';
import { readyPing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld();
const noor = { id: '2100000000000000001', username: 'noor' };
const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 5)]);

describe('the output download failing for a while', () => {
  it('is tried again until it passes, and the member gets the video Replicate made, once', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, output: video });
    // Six faults in a row: more than a handful of quick tries, far less than the hour Replicate keeps the output.
    w.replicate.failNext({ route: 'output', status: 502, times: 3 });
    w.replicate.failNext({ route: 'output', reset: true, times: 2 });
    w.replicate.failNext({ route: 'output', status: 503, times: 1 });
    const sent = requestVideo(w, noor, 'a lantern on a boat');

    const record = await readyPing(w, sent, { timeoutMs: 20_000 });
    await untilNoActiveJobs(w);
    expect(record.original!.attachments.map((a) => a.bytes.equals(video))).toEqual([true]);
    expect(record.followUps).toHaveLength(1);
    expect(w.replicate.requests.filter((r) => r.route === 'output')).toHaveLength(7);
    expect(w.logs.find('job failed')).toEqual([]);
    expect(w.logs.find('job done')[0]!.delivery).toBe('attachment');
  });
});
