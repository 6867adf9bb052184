import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { refusalText } from '../../src/refusals.js';
import type { FakeUser, InteractionHandle } from '../fakes/discord/fake-discord.js';
import { againButtonOf, ephemeralAnswer } from '../harness/again-steps.js';
import { onePixelPng } from '../harness/png.js';
import { useWorldPerTest } from '../harness/use-world.js';
import { cancelButtonOf, predictionsReach, readyPing, replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';
import type { World } from '../harness/world.js';

const studio = { id: '261000000000000100', name: 'Studio', channels: [{ id: '261000000000000101', name: 'general' }] };
const elsewhere = { id: '261000000000000200', name: 'Elsewhere', channels: [{ id: '261000000000000201', name: 'general' }] };
const amy: FakeUser = { id: '261000000000000111', username: 'amy' };
/** Manage Server in her own server, nothing in Studio. */
const mallory: FakeUser = { id: '261000000000000211', username: 'mallory' };
const inElsewhere = { guildId: elsewhere.id, channelId: elsewhere.channels[0]!.id, permissions: PermissionFlagsBits.ManageGuild };

const start = useWorldPerTest();

/** Mallory presses, in her server, a button carrying `customId` (a message of hers that names Studio's job). */
function pressInElsewhere(w: World, customId: string, n: number): InteractionHandle {
  const message = { id: `26100000000000030${n}`, channelId: inElsewhere.channelId, components: [] };
  return w.discord.pressButton({ message, customId, user: mallory, ...inElsewhere });
}

describe("a button or form naming another server's job or message is refused, privately, and reveals nothing", () => {
  it('Cancel on a job of another server, by a member with Manage Server in her own: refused, the job goes on', async () => {
    const w = await start({ discord: { guilds: [studio, elsewhere] } });
    w.replicate.script({ durationMs: 60_000 });
    const request = requestVideo(w, amy, 'a lighthouse at night', { guildId: studio.id });
    await predictionsReach(w, 1);
    const progress = await replyShowing(w, request, /Generating/);

    const press = pressInElsewhere(w, cancelButtonOf(progress), 1);
    expect(await ephemeralAnswer(w, press)).toBe(refusalText('job-not-found'));
    expect(w.replicate.requestCount('cancel')).toBe(0);
    expect(w.discord.interaction(request.id).original!.content).toMatch(/Generating/);
  });

  it("Regenerate, Remix and its form on another server's video, and Animate image's form on its message: refused, no prompt shown", async () => {
    const w = await start({ discord: { guilds: [studio, elsewhere] } });
    const delivered = (await readyPing(w, requestVideo(w, amy, 'amy’s private prompt', { guildId: studio.id }))).original!;
    await untilNoActiveJobs(w);
    const regen = againButtonOf(delivered, 'regen');
    const remix = againButtonOf(delivered, 'remix');

    expect(await ephemeralAnswer(w, pressInElsewhere(w, regen, 2))).toBe(refusalText('job-not-found'));
    const remixPress = pressInElsewhere(w, remix, 3);
    expect(await ephemeralAnswer(w, remixPress)).toBe(refusalText('job-not-found'));
    expect(w.discord.interaction(remixPress.id).modal).toBeUndefined();
    const submit = w.discord.submitModal({ customId: remix, fields: { prompt: 'mine now' }, user: mallory, ...inElsewhere });
    expect(await ephemeralAnswer(w, submit)).toBe(refusalText('job-not-found'));

    const image = w.discord.addAttachment({ bytes: onePixelPng, filename: 'amy.png', channelId: studio.channels[0]!.id });
    const posted = w.discord.postMessage({ channelId: studio.channels[0]!.id, user: amy, attachments: [image] });
    const animate = w.discord.submitModal({
      customId: `animate:${studio.channels[0]!.id}:${posted.id}`,
      fields: { prompt: 'animate her picture' },
      user: mallory,
      ...inElsewhere,
    });
    expect(await ephemeralAnswer(w, animate)).toBe(refusalText('image-not-found'));

    expect(w.replicate.predictions).toHaveLength(1);
    expect(JSON.stringify(w.discord.requests)).not.toContain('mine now');
  });
});
