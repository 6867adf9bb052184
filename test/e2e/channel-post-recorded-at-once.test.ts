import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { FakeUser } from '../fakes/discord/fake-discord.js';
import { useWorld } from '../harness/use-world.js';
import { predictionsReach, replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';

const world = useWorld({ tuning: { deliveryRetryBackoffMs: 10 } });
const minutes = (n: number) => n * 60_000;
const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(1024, 7)]);
const channelMessagePath = /^\/api\/v10\/channels\/\d+\/messages\/\d+$/;

describe('a video posted in the channel after the progress had moved there', () => {
  it('is recorded as soon as Discord answers, so a restart never needs the channel’s history to know it is up', async () => {
    const w = world();
    const ria: FakeUser = { id: '1800000000000000021', username: 'ria' };
    w.replicate.script({ durationMs: minutes(14), output: video });
    const sent = requestVideo(w, ria, 'a heron at the weir');
    await predictionsReach(w, 1);
    await replyShowing(w, sent, /Generating/);
    w.clock.jump(minutes(13.2));
    await replyShowing(w, sent, /Progress continues in the channel message below/);

    // The post lands; closing the moved progress message then gets no answer, and the bot stops there.
    w.discord.failNext({ method: 'PATCH', pathPattern: channelMessagePath, bodyIncludes: 'the video is in the message below', hang: 'before-landing' });
    w.clock.jump(minutes(2));
    const posts = () =>
      w.discord.channelMessages(w.discord.defaultChannelId).filter((m) => m.content.startsWith(`✅ <@${ria.id}>'s video`));
    await w.discord.waitFor(() => posts().length === 1, { timeoutMs: 15_000, description: 'the video in the channel' });
    await w.discord.waitFor((d) => d.requests.some((r) => r.status === 0), { description: 'the hung closing edit' });
    await w.bot.stop();

    // A moderator took Read Message History away meanwhile, and Discord has forgotten the post's nonce.
    w.discord.clearFaults();
    w.discord.setBotPermissions(w.discord.defaultChannelId, allBut(PermissionFlagsBits.ReadMessageHistory));
    w.clock.jump(minutes(10));
    await w.startBot();
    await untilNoActiveJobs(w);

    expect(posts()).toHaveLength(1);
    expect(posts()[0]!.attachments.map((a) => a.bytes.equals(video))).toEqual([true]);
    const done = await w.bot.store.getJob(String((await w.logs.waitFor('job done')).jobId));
    expect(done).toMatchObject({ state: 'done', delivery: 'channel', postedMessage: { messageId: posts()[0]!.id } });
    // The moved progress message is closed too, pointing at the video.
    const progress = w.discord.channelMessages(w.discord.defaultChannelId).find((m) => m.id === done!.reply.channelMessageId);
    expect(progress?.content).toMatch(/^✅ Done — the video is in the message below/);
  });
});

function allBut(permission: bigint): bigint {
  const all =
    PermissionFlagsBits.ViewChannel |
    PermissionFlagsBits.SendMessages |
    PermissionFlagsBits.AttachFiles |
    PermissionFlagsBits.EmbedLinks |
    PermissionFlagsBits.ReadMessageHistory |
    PermissionFlagsBits.UseApplicationCommands;
  return all & ~permission;
}
