import { PermissionFlagsBits } from 'discord.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MEMBER_PERMISSIONS } from '../fakes/discord/interaction-payloads.js';
import { statusAt } from '../fakes/replicate/prediction.js';
import { useWorld } from '../harness/use-world.js';
import { cancelButtonOf, predictionsReach, replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const amy = { id: '210000000000000001', username: 'amy' };
const moderator = { id: '210000000000000009', username: 'mod' };

const world = useWorld();
beforeEach(() => {
  world().replicate.script({ durationMs: 60_000 });
});

async function generatingJob() {
  const handle = requestVideo(world(), amy, 'a paper boat on a river');
  await predictionsReach(world(), 1);
  const progress = await replyShowing(world(), handle, /Generating/);
  return { handle, progress };
}

/** The cancel reached Replicate and the prediction ended there as canceled. */
async function expectCanceledAtReplicate(): Promise<void> {
  await world().discord.waitFor(() => world().replicate.requestCount('cancel') === 1, { description: 'the cancel call' });
  const prediction = world().replicate.predictions[0]!;
  const cancel = world().replicate.requests.find((r) => r.route === 'cancel')!;
  expect(cancel.path).toBe(`/v1/predictions/${prediction.id}/cancel`);
  expect(cancel.status).toBe(200);
  expect(statusAt(prediction, world().clock.now())).toBe('canceled');
  expect(world().replicate.predictions).toHaveLength(1);
}

describe('canceling a job while Replicate generates it', () => {
  it('the requester pressing Cancel cancels the prediction at Replicate and the reply says Canceled', async () => {
    const { handle, progress } = await generatingJob();

    world().discord.pressButton({ message: progress, customId: cancelButtonOf(progress), user: amy });
    const canceled = await replyShowing(world(), handle, /^Canceled/);

    await expectCanceledAtReplicate();
    expect(canceled.content).toContain('a paper boat on a river');
    expect(canceled.content).not.toContain('<@');
    expect(canceled.components).toEqual([]);
    expect(canceled.attachments).toEqual([]);
    expect(world().discord.interaction(handle.id).followUps).toEqual([]);
    await untilNoActiveJobs(world());
  });

  it("a moderator with Manage Server cancels someone else's job and the reply names the moderator", async () => {
    const { handle, progress } = await generatingJob();

    world().discord.pressButton({
      message: progress,
      customId: cancelButtonOf(progress),
      user: moderator,
      permissions: DEFAULT_MEMBER_PERMISSIONS | PermissionFlagsBits.ManageGuild,
    });
    const canceled = await replyShowing(world(), handle, /^Canceled by/);

    await expectCanceledAtReplicate();
    expect(canceled.content.split('\n')[0]).toBe(`Canceled by <@${moderator.id}>`);
    // Named, not pinged: the mention is shown but allowed_mentions lets nobody be notified.
    expect(canceled.allowedMentions).toEqual({ parse: [] });
    expect(canceled.components).toEqual([]);
    expect(world().discord.interaction(handle.id).followUps).toEqual([]);
  });
});
