import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { channelLostReason } from '../../src/responder/delivery.js';
import type { MessageWithHistory } from '../fakes/discord/fake-discord.js';
import { useWorld } from '../harness/use-world.js';
import { predictionsReach, readyPing, replyShowing, requestVideo, untilNoActiveJobs } from '../harness/video-steps.js';
import type { World } from '../harness/world.js';

const world = useWorld({ tuning: { deliveryRetryBackoffMs: 10 } });
const lea = { id: '1700000000000000001', username: 'lea' };
const minutes = (n: number) => n * 60_000;
const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(2048, 4)]);
const webhook = /^\/api\/v10\/webhooks\//;
const channelMessagesPath = /^\/api\/v10\/channels\/\d+\/messages$/;

function deliveries(w: World): MessageWithHistory[] {
  return w.discord.channelMessages(w.discord.defaultChannelId).filter((m) => m.content.startsWith(`✅ <@${lea.id}>'s video`));
}

/** A job that runs past its interaction token, so the video goes out as a channel message. */
async function pastTheToken(w: World, prompt: string) {
  w.replicate.script({ durationMs: minutes(20), output: video });
  const sent = requestVideo(w, lea, prompt);
  await predictionsReach(w, 1);
  await replyShowing(w, sent, /Generating/);
  return sent;
}

describe('Discord faults during delivery', () => {
  it('a 5xx storm on the interaction webhook is waited out while the token lives, then the video goes to the channel, once', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, output: video });
    const sent = requestVideo(w, lea, 'a fox in snow');
    await replyShowing(w, sent, /Generating|In the queue|Starting/);
    w.discord.failNext({ pathPattern: webhook, status: 502, times: Infinity });
    const failedUploads = () => w.discord.requests.filter((r) => webhook.test(r.path) && r.method === 'PATCH' && r.status === 502);
    await w.discord.waitFor(() => failedUploads().length >= 2, { timeoutMs: 15_000, description: 'the upload sent again to the reply' });
    expect(deliveries(w)).toEqual([]);
    w.clock.jump(minutes(16));

    const posted = await w.discord.waitFor(() => deliveries(w)[0], { timeoutMs: 15_000, description: 'the channel delivery' });
    await untilNoActiveJobs(w);
    expect(posted.attachments.map((a) => a.bytes.equals(video))).toEqual([true]);
    expect(posted.allowedMentions).toEqual({ parse: [], users: [lea.id] });
    expect(deliveries(w)).toHaveLength(1);
    expect(w.discord.interaction(sent.id).followUps).toEqual([]);
  });

  it('a 5xx storm on channel messages after the token died is waited out, and the video is posted once', async () => {
    const w = world();
    const sent = await pastTheToken(w, 'a fox at night');
    w.discord.failNext({ method: 'POST', pathPattern: channelMessagesPath, withFile: true, status: 503, times: 3 });
    w.clock.jump(minutes(21));

    const posted = await w.discord.waitFor(() => deliveries(w)[0], { timeoutMs: 15_000, description: 'the channel delivery' });
    await untilNoActiveJobs(w);
    expect(deliveries(w)).toHaveLength(1);
    // A 5xx is Discord's fault, not the file's: the same file is sent again, not a smaller one or a link.
    expect(posted.attachments.map((a) => a.bytes.equals(video))).toEqual([true]);
    expect(posted.content).not.toMatch(/https?:\/\//);
    expect(w.discord.interaction(sent.id).followUps).toEqual([]);
  });

  it('a channel upload that timed out after landing is not posted a second time', async () => {
    const w = world();
    await pastTheToken(w, 'a fox at dawn');
    w.discord.failNext({ method: 'POST', pathPattern: channelMessagesPath, withFile: true, hang: 'after-landing' });
    w.clock.jump(minutes(21));
    await w.discord.waitFor((d) => d.requests.some((r) => r.status === 0), { description: 'the hung upload' });
    w.clock.jump(minutes(5));

    await untilNoActiveJobs(w);
    expect(deliveries(w)).toHaveLength(1);
    expect(deliveries(w)[0]!.attachments.map((a) => a.bytes.equals(video))).toEqual([true]);
  });

  it('50013 on the upload (no Attach Files any more) posts the link instead, saying it expires', async () => {
    const w = world();
    await pastTheToken(w, 'a fox in fog');
    const channelId = w.discord.defaultChannelId;
    w.discord.setBotPermissions(channelId, PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages);
    w.clock.jump(minutes(21));

    const posted = await w.discord.waitFor(() => deliveries(w)[0], { timeoutMs: 15_000, description: 'the link' });
    await untilNoActiveJobs(w);
    expect(posted.attachments).toEqual([]);
    expect(posted.content).toContain('the link expires');
    expect(deliveries(w)).toHaveLength(1);
  });

  it('50013 on the upload to the reply posts the link on the reply', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, output: video });
    w.discord.failNext({ method: 'PATCH', pathPattern: /\/messages\/(@|%40)original$/, withFile: true, code: 50013 });
    const sent = requestVideo(w, lea, 'a fox in the reeds');

    const record = await readyPing(w, sent);
    expect(record.original!.content).toContain('the link expires');
    expect(record.followUps).toHaveLength(1);
    expect(deliveries(w)).toEqual([]);
  });

  it('a channel the bot lost access to stops being tried, and the member gets the link on the reply', async () => {
    const w = world();
    w.replicate.script({ durationMs: minutes(14), output: video });
    const sent = requestVideo(w, lea, 'a fox by the river');
    await predictionsReach(w, 1);
    await replyShowing(w, sent, /Generating/);
    w.clock.jump(minutes(13.2));
    await replyShowing(w, sent, /Progress continues in the channel message below/);
    w.discord.setBotPermissions(w.discord.defaultChannelId, 0n);
    w.clock.jump(minutes(1));

    const record = await w.discord.waitFor((d) => d.interaction(sent.id).followUps.length > 0 && d.interaction(sent.id), {
      timeoutMs: 15_000,
      description: 'the ping after the link on the reply',
    });
    await untilNoActiveJobs(w);
    expect(record.original!.content).toContain('the link expires');
    const refused = w.discord.requests.filter((r) => r.path.startsWith('/api/v10/channels/') && r.status === 403);
    expect(refused.length).toBeLessThanOrEqual(2);
  });

  it('a deleted channel (10003) ends the job in plain words without retrying it', async () => {
    const w = world();
    const sent = await pastTheToken(w, 'a fox in the dark');
    w.discord.deleteChannel(w.discord.defaultChannelId);
    w.clock.jump(minutes(21));

    await untilNoActiveJobs(w, 15_000);
    const failed = await w.discord.waitFor(() => w.logs.find('job failed')[0], { description: 'the failure line' });
    expect(failed.reason).toBe(channelLostReason);
    const unknown = w.discord.requests.filter((r) => r.path.startsWith('/api/v10/channels/') && r.status === 404);
    expect(unknown.length).toBeLessThanOrEqual(3);
    expect(w.discord.interaction(sent.id).followUps).toEqual([]);
  });

  it('a channel deleted while its reply still lives ends the job at once, with no retry loop', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, output: video });
    const sent = requestVideo(w, lea, 'a fox that vanished');
    await replyShowing(w, sent, /Generating|In the queue|Starting/);
    w.discord.deleteChannel(w.discord.defaultChannelId);

    const failed = await w.discord.waitFor(() => w.logs.find('job failed')[0], { timeoutMs: 15_000, description: 'the failure line' });
    expect(failed.reason).toBe(channelLostReason);
    expect(w.logs.find('delivery failed everywhere, trying again')).toEqual([]);
  });
});

describe('Discord down everywhere during delivery', () => {
  it('is waited out, and the video is posted once when Discord answers again', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, output: video });
    const sent = requestVideo(w, lea, 'a fox on a roof');
    await replyShowing(w, sent, /Generating|In the queue|Starting/);
    w.discord.failNext({ pathPattern: webhook, status: 502, times: Infinity });
    w.discord.failNext({ pathPattern: /^\/api\/v10\/channels\//, status: 503, times: Infinity });
    const failedUploads = () => w.discord.requests.filter((r) => webhook.test(r.path) && r.method === 'PATCH' && r.status === 502);
    await w.discord.waitFor(() => failedUploads().length >= 2, { timeoutMs: 15_000, description: 'the upload failing twice' });
    w.discord.clearFaults();
    w.clock.jump(minutes(3));

    const record = await readyPing(w, sent);
    await untilNoActiveJobs(w);
    expect(record.original!.attachments.map((a) => a.bytes.equals(video))).toEqual([true]);
    expect(record.followUps).toHaveLength(1);
    expect(deliveries(w)).toEqual([]);
  });
});
