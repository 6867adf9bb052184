import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, GatewayIntentBits, type ChatInputCommandInteraction } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { createDiscordResponder } from '../../src/responder/discord-responder.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/fake-discord.js';
import { JumpClock } from '../harness/test-clock.js';
import { captureLog } from './responder-recorder.js';

const video = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(2048, 3)]);

let fake: FakeDiscord;
let client: Client;
let clock: JumpClock;
let logs: ReturnType<typeof captureLog>;
let tempDir: string;

beforeEach(async () => {
  clock = new JumpClock();
  fake = await startFakeDiscord({ clock });
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl }, waitGuildTimeout: 0 });
  await client.login(fake.botToken);
  await fake.waitFor((f) => f.gatewayConnected && client.isReady(), { description: 'client ready' });
  logs = captureLog();
  tempDir = await mkdtemp(join(tmpdir(), 'responder-fake-'));
});

afterEach(async () => {
  await client.destroy();
  fake.assertNoUnexpectedRequests();
  await fake.close();
  await rm(tempDir, { recursive: true, force: true });
});

/** A member runs /video; the bot defers like the command handler does and the job is built from the interaction. */
async function acceptedJob(): Promise<Job> {
  const deferred = new Promise<ChatInputCommandInteraction>((resolve) => {
    client.once('interactionCreate', (i) => {
      if (i.isChatInputCommand()) void i.deferReply().then(() => resolve(i));
    });
  });
  fake.sendSlashCommand({ name: 'video', options: { prompt: 'a fox @everyone' } });
  const i = await deferred;
  const now = clock.now();
  return {
    id: 'job-1',
    guildId: i.guildId ?? '',
    userId: i.user.id,
    seq: 1,
    state: 'queued',
    request: { prompt: 'a fox @everyone' },
    seconds: 5,
    reply: {
      applicationId: i.applicationId,
      interactionId: i.id,
      interactionToken: i.token,
      interactionAt: now,
      channelId: i.channelId,
      attachmentSizeLimit: i.attachmentSizeLimit,
    },
    createdAt: now,
    updatedAt: now,
  };
}

function responder(saved: Job['reply'][] = []) {
  return createDiscordResponder({
    rest: client.rest,
    clock,
    log: logs.log,
    editIntervalMs: 0,
    tempDir,
    saveReply: async (_jobId, reply) => void saved.push(reply),
  });
}

describe('responder against the loopback Discord', () => {
  it('shows progress on the deferred reply, then the video, then pings the member', async () => {
    const job = await acceptedJob();
    const r = responder();
    r.update(job, { position: 1 });
    const shown = await fake.waitFor((f) => f.interaction(job.reply.interactionToken).original?.content.startsWith('⏳'));
    expect(shown).toBe(true);
    const record = fake.interaction(job.reply.interactionToken);
    const cancel = { custom_id: 'cancel:job-1', label: 'Cancel' };
    expect(record.original?.components).toMatchObject([{ components: [cancel] }]);

    const output = fake.addAttachment({ bytes: video, filename: 'out.mp4' });
    await expect(r.deliver({ ...job, state: 'delivering' }, output.url)).resolves.toBe('attachment');
    const done = fake.interaction(job.reply.interactionToken);
    expect(done.original?.content).toMatch(new RegExp(`^✅ <@${job.userId}>'s video: “a fox @everyone”`));
    expect(done.original?.components).toMatchObject([
      { components: [{ custom_id: 'regen:job-1' }, { custom_id: 'remix:job-1' }] },
    ]);
    expect(done.original?.attachments.map((a) => a.bytes)).toEqual([video]);
    expect(done.followUps.map((f) => [f.content, f.allowedMentions])).toEqual([
      [`<@${job.userId}> your video is ready ↑`, { parse: [], users: [job.userId] }],
    ]);
    expect(logs.lines.join('\n')).not.toContain(job.reply.interactionToken);
  });

  it('moves a long job to a channel message at 13 minutes and delivers there after the token expired', async () => {
    const job = await acceptedJob();
    const saved: Job['reply'][] = [];
    const r = responder(saved);
    const running = { ...job, state: 'running' as const, startedAt: clock.now() };
    r.update(running);
    await fake.waitFor((f) => f.interaction(job.reply.interactionToken).original?.content.startsWith('🎬'));
    clock.jump(13 * 60_000);
    const channel = () => fake.channelMessages(job.reply.channelId);
    const [moved] = await fake.waitFor(() => channel().length === 1 && saved.length === 1 && channel());
    expect(moved?.content).toMatch(/^🎬 Generating… 13m/);
    expect(moved?.components).toMatchObject([{ components: [{ custom_id: 'cancel:job-1' }] }]);
    expect(saved[0]?.channelMessageId).toBe(moved?.id);
    await fake.waitFor((f) => f.interaction(job.reply.interactionToken).original?.content.includes('channel message below'));

    clock.jump(3 * 60_000);
    const output = fake.addAttachment({ bytes: video, filename: 'out.mp4' });
    await expect(r.deliver({ ...running, state: 'delivering' }, output.url)).resolves.toBe('channel');
    const messages = channel();
    expect(messages).toHaveLength(2);
    expect(messages[1]?.content).toMatch(new RegExp(`^✅ <@${job.userId}>'s video`));
    expect(messages[1]?.allowedMentions).toEqual({ parse: [], users: [job.userId] });
    expect(messages[1]?.attachments.map((a) => a.bytes)).toEqual([video]);
  });

  it('streams the video from disk and sends it again intact after Discord answers 429', async () => {
    const job = await acceptedJob();
    const r = responder();
    fake.failNext({ method: 'PATCH', pathPattern: /\/messages\/(@|%40)original$/, status: 429, retryAfterSeconds: 0.1 });
    const output = fake.addAttachment({ bytes: video, filename: 'out.mp4' });
    await expect(r.deliver({ ...job, state: 'delivering' }, output.url)).resolves.toBe('attachment');
    const patches = fake.requests.filter((q) => q.method === 'PATCH').map((q) => q.status);
    expect(patches).toEqual([429, 200]);
    const original = fake.interaction(job.reply.interactionToken).original;
    expect(original?.attachments.map((a) => [a.filename, a.contentType, a.bytes])).toEqual([['video.mp4', 'video/mp4', video]]);
  });
});
