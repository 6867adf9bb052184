import { describe, expect, it } from 'vitest';
import { refusalText, type RefusalCode } from '../../src/refusals.js';
import type { InteractionHandle } from '../fakes/discord/fake-discord.js';
import { useWorldPerTest } from '../harness/use-world.js';
import { predictionsReach, promptsAtReplicate, replyShowing, requestVideo } from '../harness/video-steps.js';
import type { World, WorldOptions } from '../harness/world.js';

const member = (n: number) => ({ id: `25000000000000000${n}`, username: `member${n}` });

const startWorld = useWorldPerTest();
async function start(options: WorldOptions): Promise<World> {
  const world = await startWorld(options);
  for (let i = 0; i < 4; i++) world.replicate.script({ durationMs: 60_000 });
  return world;
}

/** The refusal a member sees: an immediate, ephemeral message with the refusal's text, and nothing deferred. */
async function expectRefused(w: World, handle: InteractionHandle, code: RefusalCode): Promise<void> {
  const record = await w.discord.waitFor((d) => d.interaction(handle.id).ackType !== undefined && d.interaction(handle.id), {
    description: `the ${code} refusal`,
  });
  expect(record.ackType).toBe(4);
  expect(record.ephemeral).toBe(true);
  expect(record.ackBody).toMatchObject({ type: 4, data: { content: refusalText(code), flags: 64 } });
  expect(record.original!.content).toBe(refusalText(code));
  expect(record.original!.components).toEqual([]);
}

describe('per-member and per-server limits', () => {
  it("refuses a member's request beyond USER_PENDING_LIMIT ephemerally, without creating a prediction", async () => {
    const w = await start({ env: { USER_PENDING_LIMIT: '2', GUILD_CONCURRENCY: '1' } });
    const amy = member(1);
    requestVideo(w, amy, 'first of amy');
    await predictionsReach(w, 1);
    const second = requestVideo(w, amy, 'second of amy');
    await replyShowing(w, second, /position 1/);

    const third = requestVideo(w, amy, 'third of amy');
    await expectRefused(w, third, 'pending-limit');

    // Another member is not held back by amy's limit: their request is queued behind hers.
    const ben = requestVideo(w, member(2), 'first of ben');
    await replyShowing(w, ben, /position/);
    expect(promptsAtReplicate(w)).toEqual(['first of amy']);
    expect(w.bot.queue.stats()).toMatchObject({ waiting: 2, running: 1 });
  });

  it('refuses any request once GUILD_QUEUE_LIMIT jobs wait, without creating a prediction', async () => {
    const w = await start({ env: { GUILD_QUEUE_LIMIT: '2', GUILD_CONCURRENCY: '1' } });
    requestVideo(w, member(1), 'running one');
    await predictionsReach(w, 1);
    await replyShowing(w, requestVideo(w, member(2), 'waiting one'), /position 1/);
    await replyShowing(w, requestVideo(w, member(3), 'waiting two'), /position 2/);

    const refused = requestVideo(w, member(4), 'one too many');
    await expectRefused(w, refused, 'queue-full');

    expect(promptsAtReplicate(w)).toEqual(['running one']);
    expect(w.bot.queue.stats()).toMatchObject({ waiting: 2, running: 1, accepting: 0 });

    // Once the line moves, there is room again.
    w.clock.jump(60_000);
    await predictionsReach(w, 2);
    const later = requestVideo(w, member(4), 'room again');
    await replyShowing(w, later, /position 2/);
    expect(promptsAtReplicate(w)).toEqual(['running one', 'waiting one']);
  });
});
