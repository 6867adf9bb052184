import { once } from 'node:events';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  SlashCommandBuilder,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { JumpClock } from '../harness/test-clock.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from './discord/fake-discord.js';

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  const current = fake;
  fake = undefined;
  if (current) {
    await current.close();
    current.assertNoUnexpectedRequests();
  }
});

async function start(options: FakeDiscordOptions = {}): Promise<{ fake: FakeDiscord; client: Client }> {
  fake = await startFakeDiscord(options);
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(fake.botToken);
  await ready;
  return { fake, client };
}

function nextInteraction(c: Client): Promise<Interaction> {
  return new Promise((resolve) => c.once(Events.InteractionCreate, resolve));
}

async function nextCommand(c: Client): Promise<ChatInputCommandInteraction> {
  const interaction = await nextInteraction(c);
  if (!interaction.isChatInputCommand()) throw new Error(`expected a chat input command, got type ${interaction.type}`);
  return interaction;
}

async function expectDiscordError(promise: Promise<unknown>, code: number, status?: number): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(DiscordAPIError);
  expect((error as DiscordAPIError).code).toBe(code);
  if (status !== undefined) expect((error as DiscordAPIError).status).toBe(status);
}

const videoCommand = new SlashCommandBuilder()
  .setName('video')
  .setDescription('Make a video')
  .addStringOption((o) => o.setName('prompt').setDescription('What to show').setRequired(true))
  .addNumberOption((o) => o.setName('duration').setDescription('Seconds'))
  .addAttachmentOption((o) => o.setName('image').setDescription('Start frame'));

describe('fake discord with the real discord.js client', () => {
  it('a slash command arrives with typed options and a downloadable attachment', async () => {
    const { fake, client } = await start();
    await client.rest.put(Routes.applicationGuildCommands(fake.applicationId, fake.defaultGuildId), {
      body: [videoCommand.toJSON()],
    });
    expect(fake.commands(fake.defaultGuildId).map((c) => c.name)).toEqual(['video']);

    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255, 1]);
    const image = fake.addAttachment({ bytes: png, filename: 'cat.png' });
    const arrived = nextCommand(client);
    const handle = fake.sendSlashCommand({
      name: 'video',
      options: { prompt: 'a cat', duration: 5, image },
      permissions: PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages,
      attachmentSizeLimit: 25 * 1024 * 1024,
    });
    const interaction = await arrived;

    expect(handle.id).toMatch(/^\d{17,19}$/);
    expect(interaction.id).toBe(handle.id);
    expect(interaction.token).toBe(handle.token);
    expect(interaction.commandName).toBe('video');
    expect(interaction.guildId).toBe(fake.defaultGuildId);
    expect(interaction.channelId).toBe(fake.defaultChannelId);
    expect(interaction.options.getString('prompt')).toBe('a cat');
    expect(interaction.options.getNumber('duration')).toBe(5);
    expect(interaction.attachmentSizeLimit).toBe(25 * 1024 * 1024);
    expect(interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(interaction.appPermissions.has(PermissionFlagsBits.AttachFiles)).toBe(true);
    const attachment = interaction.options.getAttachment('image', true);
    expect(attachment.contentType).toBe('image/png');
    expect(attachment.size).toBe(png.length);
    expect(attachment.url).toMatch(/\/attachments\/\d+\/\d+\/cat\.png\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]+/);
    const download = await fetch(attachment.url);
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);

    fake.expireAttachment(attachment.id);
    expect((await fetch(attachment.url)).status).toBe(404);
  });

  it('a deferred reply edited with a file and buttons shows exact bytes, and a follow-up keeps its mentions', async () => {
    const { fake, client } = await start();
    const arrived = nextCommand(client);
    const handle = fake.sendSlashCommand({ name: 'video', options: { prompt: 'waves' } });
    const interaction = await arrived;

    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    expect(fake.interaction(handle.token).original?.flags).toBe(64 | 128);
    const video = Buffer.alloc(4096, 7);
    video.write('ftypisom', 4);
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('cancel:1').setLabel('Cancel').setStyle(ButtonStyle.Danger),
    );
    await interaction.editReply({ content: 'done', files: [{ attachment: video, name: 'v.mp4' }], components: [row] });
    await interaction.followUp({ content: `<@${interaction.user.id}> ready`, allowedMentions: { users: [interaction.user.id] } });

    const seen = fake.interaction(handle.id);
    expect(seen.ackType).toBe(5);
    expect(seen.ephemeral).toBe(true);
    expect(seen.original?.content).toBe('done');
    expect(seen.original?.flags).toBe(64);
    expect(seen.original?.attachments).toHaveLength(1);
    expect(seen.original?.attachments[0]?.filename).toBe('v.mp4');
    expect(seen.original?.attachments[0]?.bytes.equals(video)).toBe(true);
    expect(seen.original?.components).toMatchObject([{ type: 1, components: [{ custom_id: 'cancel:1', style: 4 }] }]);
    expect(seen.originalHistory.map((m) => m.content)).toEqual(['', 'done']);
    expect(seen.followUps).toHaveLength(1);
    expect(seen.followUps[0]?.allowedMentions).toEqual({ users: [interaction.user.id] });
    expect(seen.followUps[0]?.editedLoadingOriginal).toBe(false);
    expect(fake.ackLatencies()).toHaveLength(1);
    expect(fake.ackLatencies()[0]?.accepted).toBe(true);

    const delivered = await fetch(seen.original?.attachments[0]?.url ?? '');
    expect(Buffer.from(await delivered.arrayBuffer()).equals(video)).toBe(true);
    const paths = fake.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain(`PATCH /api/v10/webhooks/${fake.applicationId}/:token/messages/%40original`);
    expect(JSON.stringify(fake.requests)).not.toContain(handle.token);
    expect(JSON.stringify(fake.requests)).not.toContain(fake.botToken);
  });

  it('a deferral later than three seconds is refused with 10062', async () => {
    const clock = new JumpClock();
    const { fake, client } = await start({ clock });
    const arrived = nextCommand(client);
    fake.sendSlashCommand({ name: 'video', options: { prompt: 'late' } });
    const interaction = await arrived;
    clock.jump(4000);
    await expectDiscordError(interaction.deferReply(), 10062, 404);
    expect(fake.ackLatencies()[0]).toMatchObject({ accepted: false, status: 404, callbackType: 5 });
    expect(fake.ackLatencies()[0]?.latencyMs).toBeGreaterThanOrEqual(4000);
  });

  it('a second acknowledgement is refused with 40060', async () => {
    const { fake, client } = await start();
    const arrived = nextCommand(client);
    const handle = fake.sendSlashCommand({ name: 'video', options: { prompt: 'twice' } });
    const interaction = await arrived;
    await interaction.deferReply();
    await expectDiscordError(
      client.rest.post(Routes.interactionCallback(handle.id, handle.token), { body: { type: 5 }, auth: false }),
      40060,
      400,
    );
    expect(fake.interaction(handle.id).ackType).toBe(5);
  });

  it('an edit after the token lifetime is refused with 50027, or 10015 when configured', async () => {
    for (const code of [50027, 10015] as const) {
      const clock = new JumpClock();
      const { fake, client } = await start({ clock, expiredTokenCode: code });
      const arrived = nextCommand(client);
      fake.sendSlashCommand({ name: 'video', options: { prompt: 'slow' } });
      const interaction = await arrived;
      await interaction.deferReply();
      await interaction.editReply('working');
      clock.jump(15 * 60_000 + 1);
      await expectDiscordError(interaction.editReply('too late'), code, code === 50027 ? 401 : 404);
      await client.destroy();
      await fake.close();
    }
  });

  it('a file over the interaction limit is refused with 40005 and an empty edit with 50006', async () => {
    const { fake, client } = await start();
    const arrived = nextCommand(client);
    const handle = fake.sendSlashCommand({ name: 'video', options: { prompt: 'big' }, attachmentSizeLimit: 1024 });
    const interaction = await arrived;
    expect(interaction.attachmentSizeLimit).toBe(1024);
    await interaction.deferReply();
    await expectDiscordError(
      interaction.editReply({ files: [{ attachment: Buffer.alloc(2048, 1), name: 'v.mp4' }] }),
      40005,
      413,
    );
    await expectDiscordError(interaction.editReply({ content: '' }), 50006, 400);
    expect(fake.interaction(handle.id).originalHistory).toHaveLength(1);
  });

  it('an editReply before any acknowledgement is refused with 10008 on the wire', async () => {
    const { fake, client } = await start();
    const arrived = nextCommand(client);
    const handle = fake.sendSlashCommand({ name: 'video', options: { prompt: 'x' } });
    await arrived;
    await expectDiscordError(
      client.rest.patch(Routes.webhookMessage(fake.applicationId, handle.token), { body: { content: 'x' }, auth: false }),
      10008,
      404,
    );
  });

  it('an injected 429 is waited out and retried by discord.js', async () => {
    const { fake, client } = await start();
    const arrived = nextCommand(client);
    const handle = fake.sendSlashCommand({ name: 'video', options: { prompt: 'busy' } });
    const interaction = await arrived;
    await interaction.deferReply();
    fake.failNext({ method: 'PATCH', pathPattern: /\/messages\/(@|%40)original$/, status: 429, retryAfterSeconds: 0.2 });
    const started = Date.now();
    await interaction.editReply('after the wait');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(fake.interaction(handle.id).original?.content).toBe('after the wait');
    const patches = fake.requests.filter((r) => r.method === 'PATCH').map((r) => r.status);
    expect(patches).toEqual([429, 200]);
    const limited = fake.requests.find((r) => r.status === 429);
    expect(limited?.route).toBe('PATCH /webhooks/:app/:token/messages/:message');
  });

  it('a 502 on a follow-up is retried, so the follow-up is sent twice on the wire', async () => {
    const { fake, client } = await start();
    const arrived = nextCommand(client);
    const handle = fake.sendSlashCommand({ name: 'video', options: { prompt: 'flaky' } });
    const interaction = await arrived;
    await interaction.reply({ content: 'queued' });
    fake.failNext({ method: 'POST', pathPattern: /\/webhooks\/\d+\/[^/]+$/, status: 502 });
    await interaction.followUp({ content: 'done' });
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/v10/webhooks')).map((r) => r.status)).toEqual([
      502, 200,
    ]);
    expect(fake.interaction(handle.id).followUps.map((f) => f.content)).toEqual(['done']);
  });

  it('a request without a route is answered 404 and reported', async () => {
    const own = await startFakeDiscord();
    try {
      const response = await fetch(`${own.apiUrl}/v10/guilds/1/nothing`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ code: 0, message: '404: Not Found' });
      expect(response.headers.get('x-ratelimit-limit')).not.toBeNull();
      expect(() => own.assertNoUnexpectedRequests()).toThrow(/GET \/api\/v10\/guilds\/1\/nothing/);
    } finally {
      await own.close();
    }
  });

  it('a button press arrives as a ButtonInteraction and its update edits the message it was on', async () => {
    const { fake, client } = await start();
    const commandArrived = nextCommand(client);
    const command = fake.sendSlashCommand({ name: 'video', options: { prompt: 'btn' } });
    const slash = await commandArrived;
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('cancel:42').setLabel('Cancel').setStyle(ButtonStyle.Danger),
    );
    await slash.reply({ content: 'queued', components: [row] });
    const original = fake.interaction(command.id).original;
    if (!original) throw new Error('no original response');

    const pressed = new Promise<ButtonInteraction>((resolve, reject) => {
      client.once(Events.InteractionCreate, (i) => (i.isButton() ? resolve(i) : reject(new Error('not a button'))));
    });
    const press = fake.pressButton({ message: original, customId: 'cancel:42' });
    const button = await pressed;
    expect(button.customId).toBe('cancel:42');
    expect(button.message.id).toBe(original.id);
    await button.deferUpdate();
    await button.editReply({ content: 'canceled', components: [] });

    expect(fake.interaction(press.id).ackType).toBe(6);
    expect(fake.interaction(command.id).original?.content).toBe('canceled');
    expect(fake.interaction(command.id).originalHistory.map((m) => m.content)).toEqual(['queued', 'canceled']);
  });

  it('a button answered with an update edits the message in place, and follow-ups can be edited', async () => {
    const { fake, client } = await start();
    const commandArrived = nextCommand(client);
    const command = fake.sendSlashCommand({ name: 'video', options: { prompt: 'upd' } });
    const slash = await commandArrived;
    await slash.deferReply();
    await slash.editReply({ content: 'rendering' });
    const followUp = await slash.followUp({ content: 'step 1' });
    await slash.webhook.editMessage(followUp, { content: 'step 2' });
    expect(fake.interaction(command.id).followUps[0]?.history.map((m) => m.content)).toEqual(['step 1', 'step 2']);

    const original = fake.interaction(command.id).original;
    if (!original) throw new Error('no original response');
    const pressed = nextInteraction(client);
    const press = fake.pressButton({ message: original, customId: 'retry' });
    const button = await pressed;
    if (!button.isButton()) throw new Error('not a button');
    await button.update({ content: 'retrying' });
    expect(fake.interaction(press.token)).toMatchObject({ ackType: 7, original: { id: original.id, content: 'retrying' } });
    expect(fake.interaction(command.id).original?.content).toBe('retrying');
  });

  it('a command from a DM has a user and no guild', async () => {
    const { fake, client } = await start();
    const arrived = nextCommand(client);
    fake.sendSlashCommand({ name: 'video', options: { prompt: 'dm' }, context: 'dm', user: { id: '123456789012345678' } });
    const interaction = await arrived;
    expect(interaction.inGuild()).toBe(false);
    expect(interaction.guildId).toBeNull();
    expect(interaction.user.id).toBe('123456789012345678');
    expect(interaction.context).toBe(1);
  });

  it('channel messages need the bot token, know their channels and keep their edits', async () => {
    const { fake, client } = await start();
    const channel = await client.channels.fetch(fake.defaultChannelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const sent = await channel.send({ content: 'hello', files: [{ attachment: Buffer.from('abc'), name: 'a.txt' }] });
    await sent.edit({ content: 'hello again', attachments: [] });
    const [recorded] = fake.channelMessages(fake.defaultChannelId);
    expect(recorded?.content).toBe('hello again');
    expect(recorded?.attachments).toEqual([]);
    expect(recorded?.history.map((m) => m.attachments.length)).toEqual([1, 0]);

    await expectDiscordError(client.rest.post(Routes.channelMessages('123456789012345678'), { body: { content: 'x' } }), 10003, 404);
    const anonymous = await fetch(`${fake.apiUrl}/v10/channels/${fake.defaultChannelId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'x' }),
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('x-ratelimit-bucket')).toBeTruthy();
  });

  it('the bot permissions set for a channel arrive as app_permissions and are enforced on its routes', async () => {
    const { fake, client } = await start();
    const channelId = fake.defaultChannelId;
    const withoutAttach = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages;
    fake.setBotPermissions(channelId, withoutAttach);
    const arrived = nextCommand(client);
    fake.sendSlashCommand({ name: 'video', options: { prompt: 'perms' } });
    const interaction = await arrived;
    expect(interaction.appPermissions.has(PermissionFlagsBits.AttachFiles)).toBe(false);
    expect(interaction.appPermissions.has(PermissionFlagsBits.SendMessages)).toBe(true);

    const files = [{ name: 'a.txt', data: Buffer.from('abc') }];
    await expectDiscordError(client.rest.post(Routes.channelMessages(channelId), { body: { content: 'f' }, files }), 50013, 403);
    await client.rest.post(Routes.channelMessages(channelId), { body: { content: 'text only' } });
    expect(await client.rest.get(Routes.channelMessages(channelId))).toEqual([]);
    fake.setBotPermissions(channelId, 0n);
    await expectDiscordError(client.rest.post(Routes.channelMessages(channelId), { body: { content: 'x' } }), 50001, 403);
    fake.deleteChannel(channelId);
    await expectDiscordError(client.rest.post(Routes.channelMessages(channelId), { body: { content: 'x' } }), 10003, 404);
    expect(fake.channelMessages(channelId).map((m) => m.content)).toEqual(['text only']);
  });

  it('a channel message sent again with the same enforced nonce returns the first one instead of a second', async () => {
    const { fake, client } = await start();
    const route = Routes.channelMessages(fake.defaultChannelId);
    const first = (await client.rest.post(route, { body: { content: 'once', nonce: 'job-1', enforce_nonce: true } })) as { id: string };
    const again = (await client.rest.post(route, { body: { content: 'once', nonce: 'job-1', enforce_nonce: true } })) as { id: string };
    await client.rest.post(route, { body: { content: 'unenforced', nonce: 'job-1' } });
    expect(again.id).toBe(first.id);
    expect(fake.channelMessages(fake.defaultChannelId).map((m) => m.content)).toEqual(['once', 'unenforced']);
  });

  it('the channel history lists channel messages and non-ephemeral interaction messages, after an id', async () => {
    const { fake, client } = await start();
    const arrived = nextCommand(client);
    const handle = fake.sendSlashCommand({ name: 'video', options: { prompt: 'history' } });
    const interaction = await arrived;
    await interaction.deferReply();
    await interaction.editReply('the video');
    const ping = await interaction.followUp({ content: 'ready' });
    await interaction.followUp({ content: 'secret', flags: MessageFlags.Ephemeral });
    const route = Routes.channelMessages(fake.defaultChannelId);
    const channelMessage = (await client.rest.post(route, { body: { content: 'later' } })) as { id: string };
    const all = (await client.rest.get(route)) as { id: string; content: string; interaction_metadata?: { id: string } }[];
    expect(all.map((m) => m.content)).toEqual(['later', 'ready', 'the video']);
    expect(all[1]?.interaction_metadata?.id).toBe(handle.id);
    const after = (await client.rest.get(route, { query: new URLSearchParams({ after: ping.id }) })) as { id: string }[];
    expect(after.map((m) => m.id)).toEqual([channelMessage.id]);
  });

  it('a hung request is never answered, and one hung after landing leaves its message behind', async () => {
    const { fake, client } = await start();
    const route = Routes.channelMessages(fake.defaultChannelId);
    fake.failNext({ method: 'POST', pathPattern: /\/messages$/, hang: 'after-landing' });
    fake.failNext({ method: 'POST', pathPattern: /\/messages$/, hang: 'before-landing' });
    for (const content of ['landed', 'lost']) {
      const controller = new AbortController();
      const sent = client.rest.post(route, { body: { content }, signal: controller.signal }).catch((err: unknown) => err);
      await fake.waitFor((f) => f.requests.filter((r) => r.status === 0).length === (content === 'landed' ? 1 : 2));
      controller.abort();
      expect(await sent).toMatchObject({ name: 'AbortError' });
    }
    expect(fake.channelMessages(fake.defaultChannelId).map((m) => m.content)).toEqual(['landed']);
  });

  it('an injected Discord error code answers with its own status and body', async () => {
    const { fake, client } = await start();
    fake.failNext({ method: 'POST', pathPattern: /\/messages$/, code: 50013, withFile: true });
    const route = Routes.channelMessages(fake.defaultChannelId);
    await client.rest.post(route, { body: { content: 'no file passes' } });
    const files = [{ name: 'a.txt', data: Buffer.from('abc') }];
    await expectDiscordError(client.rest.post(route, { body: { content: 'file' }, files }), 50013, 403);
    fake.failNext({ pathPattern: /\/messages$/, code: 10003, times: Infinity });
    await expectDiscordError(client.rest.post(route, { body: { content: 'x' } }), 10003, 404);
    fake.clearFaults();
    await client.rest.post(route, { body: { content: 'after the storm' } });
    expect(fake.channelMessages(fake.defaultChannelId).map((m) => m.content)).toEqual(['no file passes', 'after the storm']);
  });

  it('a client resumes after the gateway drops and still receives interactions', async () => {
    const { fake, client } = await start();
    fake.disconnectGateway(4000);
    await fake.waitFor((f) => f.resumeCount === 1 && f.gatewayConnected, { description: 'resume' });
    expect(fake.identifyCount).toBe(1);
    const arrived = nextCommand(client);
    fake.sendSlashCommand({ name: 'video', options: { prompt: 'again' } });
    expect((await arrived).options.getString('prompt')).toBe('again');
  });

  it('an immediate reply can carry a file and be read back with the callback response', async () => {
    const { fake, client } = await start();
    const arrived = nextCommand(client);
    const handle = fake.sendSlashCommand({ name: 'video', options: { prompt: 'now' } });
    const interaction = await arrived;
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const response = await interaction.reply({
      content: 'preview',
      files: [{ attachment: png, name: 'p.png' }],
      flags: MessageFlags.Ephemeral,
      withResponse: true,
    });
    expect(response.resource?.message?.content).toBe('preview');
    expect(response.resource?.message?.attachments.first()?.name).toBe('p.png');
    const seen = fake.interaction(handle.token);
    expect(seen).toMatchObject({ ackType: 4, ephemeral: true });
    expect(seen.original?.attachments[0]?.bytes.equals(png)).toBe(true);
    const fetched = await interaction.fetchReply();
    expect(fetched.content).toBe('preview');
  });

  it('a new client logs in after the previous one was destroyed, as after a bot restart', async () => {
    const { fake, client: first } = await start();
    await first.destroy();
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    const ready = once(client, Events.ClientReady);
    await client.login(fake.botToken);
    await ready;
    expect(fake.identifyCount).toBe(2);
    const arrived = nextCommand(client);
    fake.sendSlashCommand({ name: 'video', options: { prompt: 'restarted' } });
    expect((await arrived).options.getString('prompt')).toBe('restarted');
  });

  it('the gateway says hello, acknowledges heartbeats and closes 4004 on a wrong identify token', async () => {
    fake = await startFakeDiscord();
    const socket = new WebSocket(`${fake.gatewayUrl}/?v=10&encoding=json`);
    const frames: { op: number; d?: unknown }[] = [];
    socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as { op: number }));
    const closed = once(socket, 'close') as Promise<[number, Buffer]>;
    await once(socket, 'open');
    await fake.waitFor(() => frames.find((f) => f.op === 10), { description: 'HELLO' });
    socket.send(JSON.stringify({ op: 1, d: null }));
    await fake.waitFor(() => frames.find((f) => f.op === 11), { description: 'heartbeat ACK' });
    socket.send(JSON.stringify({ op: 2, d: { token: 'wrong', intents: 1, properties: {} } }));
    const [code] = await closed;
    expect(code).toBe(4004);
    expect(fake.gatewayConnected).toBe(false);
  });

  it('a wrong token makes login reject', async () => {
    fake = await startFakeDiscord();
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    await expect(client.login('not-the-token')).rejects.toThrow(/token/i);
    expect(fake.requests.find((r) => r.path === '/api/v10/gateway/bot')?.status).toBe(401);
  });
});
