import { describe, expect, it } from 'vitest';
import { embedReplyTo, replyOnceShowing } from '../harness/member-steps.js';
import { useWorld } from '../harness/use-world.js';
import { predictionsReach, readyPing, requestVideo } from '../harness/video-steps.js';

const amy = { id: '283000000000000001', username: 'amy' };
const ben = { id: '283000000000000002', username: 'ben' };
const cal = { id: '283000000000000003', username: 'cal' };
const minutes = (n: number) => n * 60_000;

const world = useWorld({ env: { GUILD_CONCURRENCY: '1' } });

describe('/queue', () => {
  it("answers at once, ephemerally, with the server's line and the member's own places, and ETAs once timed", async () => {
    const w = world();
    for (let i = 0; i < 4; i++) w.replicate.script({ durationMs: minutes(4) });
    const running = requestVideo(w, amy, 'amy runs first');
    await predictionsReach(w, 1);
    await replyOnceShowing(w, requestVideo(w, ben, 'ben waits'), /position 1/);
    await replyOnceShowing(w, requestVideo(w, amy, 'amy waits too'), /position 2/);

    const first = await embedReplyTo(w, 'queue', amy);
    expect(first.record.ackType).toBe(4);
    expect(first.record.ephemeral).toBe(true);
    expect(first.record.original!.allowedMentions).toEqual({ parse: [] });
    expect(first.embed.description).toBe('**Waiting:** 2 · **Generating:** 1 (up to 1 at once)');
    // Nothing timed yet: places, and no estimate.
    expect(first.embed.fields).toEqual([
      {
        name: 'Your jobs',
        value: '• Generating: “amy runs first” (5 s)\n• Waiting, position 2: “amy waits too” (5 s)',
      },
    ]);

    // A member with nothing in line sees the server's line only.
    const cals = await embedReplyTo(w, 'queue', cal);
    expect(cals.embed.fields).toEqual([{ name: 'Your jobs', value: 'None waiting or running.' }]);

    // Once the first video is timed (4 min), ben runs and amy's second waits for what is left of his, then its own.
    w.clock.jump(minutes(4));
    await readyPing(w, running);
    await predictionsReach(w, 2);
    const later = await embedReplyTo(w, 'queue', amy);
    expect(later.embed.description).toBe('**Waiting:** 1 · **Generating:** 1 (up to 1 at once)');
    expect(later.embed.fields![0]!.value).toBe('• Waiting, position 1: “amy waits too” (5 s) · ready in about 8 min');
  });
});
