import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { ephemeralAnswer, pressAgain } from '../harness/again-steps.js';
import { onePixelPng } from '../harness/png.js';
import { useWorldPerTest } from '../harness/use-world.js';
import { readyPing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';
import type { World } from '../harness/world.js';

const amy = { id: '200000000000000001', username: 'amy' };
const ben = { id: '200000000000000002', username: 'ben' };
const day = 24 * 60 * 60 * 1000;

const start = useWorldPerTest();

/** Amy's delivered video made from a picture, and its job id. */
async function deliveredFromImage(w: World) {
  const image = w.discord.addAttachment({ bytes: onePixelPng, filename: 'cat.png' });
  const asked = w.discord.sendSlashCommand({ name: 'video', user: amy, options: { prompt: 'a cat yawning', image } });
  const delivered = (await readyPing(w, asked)).original!;
  await untilNoActiveJobs(w);
  return { delivered, jobId: w.logs.find('job queued')[0]!.jobId as string };
}

describe('Regenerate and Remix once the original input is gone', () => {
  it("refuse privately once the original's image is past its 7 days, and the image is deleted from the store", async () => {
    const w = await start();
    const { delivered, jobId } = await deliveredFromImage(w);
    expect((await w.bot.store.loadImage(jobId))?.equals(onePixelPng)).toBe(true);

    w.clock.jump(7 * day + 60_000);
    const regen = await ephemeralAnswer(w, pressAgain(w, delivered, 'regen', ben));
    const remix = await ephemeralAnswer(w, pressAgain(w, delivered, 'remix', ben));

    for (const text of [regen, remix]) {
      expect(text).toBe(
        "That video's prompt or image is no longer kept (images are kept 7 days after delivery), so it can't be " +
          'regenerated or remixed. Please use /video to make a new one.',
      );
    }
    expect(w.replicate.predictions).toHaveLength(1);
    // The upkeep runs every 6 hours on the bot's clock: the jump made it due.
    await w.discord.waitFor(() => w.logs.find('dropped start images past their keeping time').length > 0, {
      description: 'the upkeep to drop the image',
    });
    expect(await w.bot.store.loadImage(jobId)).toBeUndefined();
  });

  it("refuse privately once a moderator made the bot forget the original's creator", async () => {
    const w = await start();
    w.discord.addMember({ user: amy });
    const { delivered, jobId } = await deliveredFromImage(w);

    const forget = w.discord.sendSlashCommand({
      name: 'video-admin',
      subcommand: 'forget',
      options: { member: amy.id },
      permissions: PermissionFlagsBits.ManageGuild,
    });
    await w.discord.waitFor((d) => /redacted/.test(d.interaction(forget.id).original?.content ?? ''), {
      description: "the moderator's answer",
    });
    const regen = await ephemeralAnswer(w, pressAgain(w, delivered, 'regen', ben));
    const remix = await ephemeralAnswer(w, pressAgain(w, delivered, 'remix', ben));

    for (const text of [regen, remix]) {
      expect(text).toBe("That video's prompt and image were deleted at its creator's request, so it can't be regenerated or remixed.");
    }
    expect(w.replicate.predictions).toHaveLength(1);
    expect(await w.bot.store.loadImage(jobId)).toBeUndefined();
  });

  it('still regenerates a video made from a prompt only, whose input lives as long as its record', async () => {
    const w = await start();
    w.replicate.script({ durationMs: 200 });
    const delivered = (await readyPing(w, requestVideo(w, amy, 'a slow tide'))).original!;
    await untilNoActiveJobs(w);

    w.clock.jump(30 * day);
    w.replicate.script({ durationMs: 200 });
    await readyPing(w, pressAgain(w, delivered, 'regen', ben));
    expect(w.replicate.predictions.map((p) => p.input)).toEqual([{ prompt: 'a slow tide' }, { prompt: 'a slow tide' }]);
  });

  it('refuses a member who pressed Regenerate over their allowance, with what is left and when it resets', async () => {
    const w = await start({ env: { QUOTA_DEFAULT_SECONDS: '5' } });
    w.replicate.script({ durationMs: 200 });
    const delivered = (await readyPing(w, requestVideo(w, amy, 'a red kite'))).original!;
    await untilNoActiveJobs(w);

    const text = await ephemeralAnswer(w, pressAgain(w, delivered, 'regen', amy));

    expect(text).toMatch(/^You have 0 of 5 seconds left today; this video needs 5\. Resets <t:\d+:R>\./);
    expect(w.replicate.predictions).toHaveLength(1);
    // Someone else, with their own allowance, may.
    w.replicate.script({ durationMs: 200 });
    const bens = await readyPing(w, pressAgain(w, delivered, 'regen', ben));
    expect(bens.original!.content).toContain(`<@${ben.id}>'s video`);
  });
});
