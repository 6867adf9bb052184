import { describe, expect, it } from 'vitest';
import { replyOnceShowing } from '../harness/member-steps.js';
import { useWorldPerTest } from '../harness/use-world.js';
import { predictionsReach, readyPing, requestVideo } from '../harness/video-steps.js';

const amy = { id: '281000000000000001', username: 'amy' };
const ben = { id: '281000000000000002', username: 'ben' };
const cal = { id: '281000000000000003', username: 'cal' };
const minutes = (n: number) => n * 60_000;

const start = useWorldPerTest();

describe('the ETA in the progress message', () => {
  it('is absent until the bot has timed a video, then shows the waiting their wait and the running their time left', async () => {
    const w = await start({ env: { GUILD_CONCURRENCY: '1' } });
    for (let i = 0; i < 3; i++) w.replicate.script({ durationMs: minutes(4) });

    const first = requestVideo(w, amy, 'the first fox');
    await predictionsReach(w, 1);
    await replyOnceShowing(w, first, /Generating/);
    const second = requestVideo(w, ben, 'the second fox');
    await replyOnceShowing(w, second, /position 1/);
    // No history yet: no estimate anywhere, rather than a guess.
    const before = [...w.discord.interaction(first.id).originalHistory, ...w.discord.interaction(second.id).originalHistory];
    expect(before.map((m) => m.content).join('\n')).not.toMatch(/ready in|left|longer than usual/);

    // The first video took 4 minutes: the second starts and counts down from that.
    w.clock.jump(minutes(4));
    await readyPing(w, first);
    await predictionsReach(w, 2);
    const running = await replyOnceShowing(w, second, /Generating… .* elapsed · about 4 min left/);
    expect(running.content).toContain('the second fox');

    // A newcomer waits for what is left of the second (about 4 min) and then its own 4: about 8 min.
    const third = requestVideo(w, cal, 'the third fox');
    const waiting = await replyOnceShowing(w, third, /position 1/);
    expect(waiting.content.split('\n')[0]).toBe('⏳ In the queue — position 1 · ready in about 8 min');
    expect(waiting.allowedMentions).toEqual({ parse: [] });
  });

  it('keeps its history across a restart', async () => {
    const w = await start({ env: { GUILD_CONCURRENCY: '1' } });
    w.replicate.script({ durationMs: minutes(3) });
    const timed = requestVideo(w, amy, 'a timed kite');
    await predictionsReach(w, 1);
    w.clock.jump(minutes(3));
    await readyPing(w, timed);

    await w.restart();
    w.replicate.script({ durationMs: minutes(3) });
    const after = requestVideo(w, ben, 'a kite after the restart');
    const running = await replyOnceShowing(w, after, /Generating/);
    expect(running.content.split('\n')[0]).toMatch(/^🎬 Generating… .* elapsed · about 3 min left$/);
  });
});
