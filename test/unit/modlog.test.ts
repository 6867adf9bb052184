import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits, REST } from 'discord.js';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createModlog, type ModlogOptions } from '../../src/moderation/modlog.js';
import type { Job } from '../../src/queue/job.js';
import { GuildRecords } from '../../src/storage/guild-records.js';
import { openStore, type Store } from '../../src/storage/keyv-store.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/fake-discord.js';
import { JumpClock } from '../harness/test-clock.js';
import { captureLog } from './responder-recorder.js';

const guildId = '100000000000000001';
const general = '100000000000000002';
const modlogChannel = '100000000000000003';
const member = '1400000000000000001';
const moderator = '1400000000000000009';
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
const all = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.EmbedLinks | PermissionFlagsBits.AttachFiles | PermissionFlagsBits.ReadMessageHistory;

let fake: FakeDiscord;
let rest: REST;
let clock: JumpClock;
let logs: ReturnType<typeof captureLog>;
let dir: string;
let store: Store;
let channel: string | undefined;

beforeEach(async () => {
  clock = new JumpClock();
  fake = await startFakeDiscord({
    clock,
    guilds: [{ id: guildId, name: 'Fox Den', channels: [{ id: general, name: 'general' }, { id: modlogChannel, name: 'mod-log' }] }],
  });
  rest = new REST({ api: fake.apiUrl }).setToken(fake.botToken);
  logs = captureLog();
  dir = await mkdtemp(join(tmpdir(), 'modlog-'));
  store = await openStore(`sqlite://${join(dir, 'bot.sqlite')}`, pino({ level: 'silent' }));
  channel = modlogChannel;
});

afterEach(async () => {
  await store.close();
  fake.assertNoUnexpectedRequests();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function modlog(patch: Partial<ModlogOptions> = {}) {
  return createModlog({
    rest,
    records: new GuildRecords(store),
    log: logs.log,
    pricePerSecondUsd: 0.05,
    channelOf: () => channel,
    loadImage: async () => png,
    clock,
    retryDelayMs: 20,
    ...patch,
  });
}

let seq = 0;
function job(patch: Partial<Job> = {}): Job {
  const now = clock.now();
  return {
    id: `8f0c2a1e-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
    guildId,
    userId: member,
    seq,
    state: 'queued',
    request: { prompt: 'a fox in the snow @everyone', duration: 5 },
    seconds: 5,
    reply: { applicationId: fake.applicationId, interactionId: '1', interactionToken: 'tok-SECRET', interactionAt: now, channelId: general, attachmentSizeLimit: 10 << 20 },
    createdAt: now,
    updatedAt: now,
    ...patch,
  };
}

const outcomeOf = (embed: unknown) => (embed as { fields: { name: string; value: string }[] }).fields.at(-1)!.value;
const warnings = () => logs.parsed().filter((line) => line.level === 40);
const entries = async () => (await store.getMeta<Record<string, unknown>>(`modlog:${guildId}`)) ?? {};

describe('the mod-log', () => {
  it('posts one entry per accepted job and edits that same message with the outcome, pinging nobody', async () => {
    const log = modlog();
    const accepted = job();
    await log.jobAccepted(accepted);
    const [entry] = fake.channelMessages(modlogChannel);
    expect(outcomeOf(entry!.embeds[0])).toBe('⏳ in progress');
    expect(entry!.allowedMentions).toEqual({ parse: [] });
    expect(Object.keys(await entries())).toEqual([accepted.id]);

    const url = `https://discord.com/channels/${guildId}/${general}/123`;
    await log.jobEnded({ ...accepted, state: 'done' }, { messageUrl: url });
    const messages = fake.channelMessages(modlogChannel);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.history).toHaveLength(2);
    expect(outcomeOf(messages[0]!.embeds[0])).toBe(`✅ delivered · [the video](${url})`);
    expect(await entries()).toEqual({});
    expect(JSON.stringify(fake.requests)).not.toContain('tok-SECRET');
  });

  it('uploads the start image with the entry as its thumbnail, and keeps it there through the edit', async () => {
    const log = modlog();
    const accepted = job({ image: { filename: 'fox.png', contentType: 'image/png', size: png.length, url: 'https://cdn.discordapp.com/ephemeral-attachments/1/2/fox.png?ex=1', stored: true, mimeType: 'image/png' } });
    await log.jobAccepted(accepted);
    await log.jobEnded({ ...accepted, state: 'failed', reason: 'The model could not make this video.' });
    const [message] = fake.channelMessages(modlogChannel);
    for (const version of message!.history) {
      expect((version.embeds[0] as { thumbnail?: { url: string } }).thumbnail).toEqual({ url: 'attachment://start.png' });
      expect(version.attachments.map((a) => [a.filename, a.bytes.equals(png)])).toEqual([['start.png', true]]);
    }
    expect(outcomeOf(message!.embeds[0])).toBe('❌ failed: The model could not make this video.');
  });

  it('makes an end that comes before the entry was posted wait for the post, which is retried after a 5xx', async () => {
    const log = modlog();
    const accepted = job();
    // Four 500s: the REST client's own three retries, then the mod-log's one retry succeeds.
    fake.failNext({ method: 'POST', pathPattern: /\/channels\/\d+\/messages$/, status: 500, times: 4 });
    const posting = log.jobAccepted(accepted);
    const ending = log.jobEnded({ ...accepted, state: 'canceled', canceledBy: moderator });
    await Promise.all([posting, ending]);
    const messages = fake.channelMessages(modlogChannel);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.history.map((v) => outcomeOf(v.embeds[0]))).toEqual(['⏳ in progress', `🚫 canceled by <@${moderator}>`]);
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([500, 500, 500, 500, 200]);
  });

  it('edits the entry after a restart: its message id is in the store', async () => {
    const accepted = job();
    await modlog().jobAccepted(accepted);
    await store.close();
    store = await openStore(`sqlite://${join(dir, 'bot.sqlite')}`, pino({ level: 'silent' }));
    await modlog().jobEnded({ ...accepted, state: 'done' });
    const messages = fake.channelMessages(modlogChannel);
    expect(messages).toHaveLength(1);
    expect(outcomeOf(messages[0]!.embeds[0])).toBe('✅ delivered');
    expect(await entries()).toEqual({});
  });

  it('finds the entry a crash kept it from recording, by its nonce, and edits it instead of posting a second', async () => {
    const accepted = job();
    const records = new GuildRecords(store);
    const forgetful = { ...records, loadModlogEntry: records.loadModlogEntry.bind(records), dropModlogEntry: records.dropModlogEntry.bind(records), saveModlogPost: records.saveModlogPost.bind(records), modlogPosts: records.modlogPosts.bind(records), saveModlogEntry: () => Promise.reject(new Error('killed')) };
    await modlog({ records: forgetful }).jobAccepted(accepted);
    await modlog().jobEnded({ ...accepted, state: 'done' });
    const messages = fake.channelMessages(modlogChannel);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.history.map((v) => outcomeOf(v.embeds[0]))).toEqual(['⏳ in progress', '✅ delivered']);
    // The end posted again with the same nonce and Discord answered with the entry it had.
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('posts one line in its final state for a job that ended with no entry (the mod-log was turned on meanwhile)', async () => {
    channel = undefined;
    const log = modlog();
    const accepted = job();
    await log.jobAccepted(accepted);
    channel = modlogChannel;
    await log.jobEnded({ ...accepted, state: 'done' });
    const messages = fake.channelMessages(modlogChannel);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.history.map((v) => outcomeOf(v.embeds[0]))).toEqual(['✅ delivered']);
  });

  it('reports a missing permission, warns once, throws nothing, leaves the channel alone, and clears it after a success', async () => {
    fake.setBotPermissions(modlogChannel, PermissionFlagsBits.ViewChannel);
    const log = modlog();
    const first = job();
    await expect(log.jobAccepted(first)).resolves.toBeUndefined();
    expect(log.problemOf(guildId)).toBe(
      `I can't post in the mod-log channel <#${modlogChannel}>: I need View Channel, Send Messages and Embed Links there, or pick another with \`/video-admin modlog\`.`,
    );
    const posts = () => fake.requests.filter((r) => r.method === 'POST').length;
    const before = posts();
    await log.jobAccepted(job());
    await log.jobEnded({ ...first, state: 'done' });
    // Refused requests count towards Discord's invalid-request limit: none are sent while the channel is paused.
    expect(posts()).toBe(before);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ msg: 'mod-log channel unusable; jobs go on without it', channelId: modlogChannel, err: { code: 50013 } });

    fake.setBotPermissions(modlogChannel, all);
    await log.settingsChanged(guildId, moderator, ['mod-log: none → <#' + modlogChannel + '>'], 'modlog');
    expect(log.problemOf(guildId)).toBeUndefined();
    expect(fake.channelMessages(modlogChannel)).toHaveLength(1);
  });

  it('says the channel is gone when it was deleted, and shows no problem once another channel is chosen', async () => {
    fake.deleteChannel(modlogChannel);
    const log = modlog();
    await log.jobAccepted(job());
    expect(log.problemOf(guildId)).toBe('The mod-log channel no longer exists: pick another with `/video-admin modlog`.');
    channel = general;
    expect(log.problemOf(guildId)).toBeUndefined();
  });

  it('posts the entry without its image where the bot may not attach files, and says so', async () => {
    fake.setBotPermissions(modlogChannel, all & ~PermissionFlagsBits.AttachFiles);
    const log = modlog();
    const accepted = job({ image: { filename: 'fox.png', contentType: 'image/png', size: 9, url: 'https://cdn.discordapp.com/attachments/1/2/fox.png', stored: true, mimeType: 'image/png' } });
    await log.jobAccepted(accepted);
    const [message] = fake.channelMessages(modlogChannel);
    expect(message!.attachments).toEqual([]);
    expect((message!.embeds[0] as { thumbnail?: unknown }).thumbnail).toEqual({ url: accepted.image!.url });
    expect(log.problemOf(guildId)).toContain('Attach Files');
  });

  it('posts who changed what, from what to what', async () => {
    await modlog().settingsChanged(guildId, moderator, ['default allowance: 60 s → 120 s'], 'quota default');
    const [message] = fake.channelMessages(modlogChannel);
    expect(message!.embeds[0]).toMatchObject({ title: 'Settings changed · quota default', description: `<@${moderator}> changed:\n• default allowance: 60 s → 120 s` });
    expect(message!.allowedMentions).toEqual({ parse: [] });
  });
});
