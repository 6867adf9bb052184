import { describe, expect, it } from 'vitest';
import { refusalOf } from '../harness/admin-steps.js';
import { useWorld } from '../harness/use-world.js';
import { cancelButtonOf, failureShown, readyPing, replyShowing, requestVideo } from '../harness/video-steps.js';

const amy = { id: '254000000000000001', username: 'amy' };

describe('seconds are charged on delivery and refunded on failure or cancel', () => {
  const world = useWorld({ env: { QUOTA_DEFAULT_SECONDS: '10', USER_PENDING_LIMIT: '10', GUILD_CONCURRENCY: '1' } });

  it('a failed and a canceled video cost nothing; delivered ones are counted', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, outcome: 'failed', error: 'NSFW content detected' });
    await failureShown(w, requestVideo(w, amy, 'fails'), /could not make/);

    // Running and waiting together: both reserved, so a third is refused while they are on their way.
    w.replicate.script({ durationMs: 60_000 });
    const running = requestVideo(w, amy, 'runs');
    // In line only once the first is: two requests sent together may join the line in either order.
    await replyShowing(w, running, /Generating/);
    const waiting = requestVideo(w, amy, 'waits');
    const shown = await replyShowing(w, waiting, /position 1/);
    expect(await refusalOf(w, requestVideo(w, amy, 'third'))).toMatch(/^You have 0 of 10 seconds left today/);

    // A waiting job canceled never costs anything.
    w.discord.pressButton({ message: shown, customId: cancelButtonOf(shown), user: amy });
    await replyShowing(w, waiting, /Canceled/i);
    await replyShowing(w, requestVideo(w, amy, 'in its place'), /position 1/);

    w.clock.jump(60_000);
    await readyPing(w, running);
    expect(await refusalOf(w, requestVideo(w, amy, 'fourth'))).toMatch(/^You have 0 of 10 seconds left today/);
  });
});
