/**
 * A loopback Discord for end-to-end tests: one HTTP server on 127.0.0.1 serves the REST API under `/api/v10`, the
 * gateway (WebSocket upgrade on the same port) and a CDN for attachments. The real discord.js Client logs in with
 * `rest: { api: fake.apiUrl }`; tests drive members through `sendSlashCommand` / `pressButton` and read what a member
 * would see through `interaction()` and `channelMessages()`. Any request without a route is answered 404, and any
 * body Discord's schema or limits refuse is answered 400 50035 (schema-check.ts); both fail
 * `assertNoUnexpectedRequests()`. The interface is in fake-discord-api.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../../src/clock.js';
import { apiRoutes } from './api-routes.js';
import { FakeCdn } from './cdn.js';
import { createInteractionDispatcher } from './dispatch.js';
import type { FakeEnv } from './env.js';
import type { FakeDiscord, FakeDiscordOptions } from './fake-discord-api.js';
import { FaultInjector } from './faults.js';
import { FakeGateway, shardOfGuild, type ShardPair } from './gateway.js';
import { createGuildSetup } from './guild-setup.js';
import { imageSize } from './image-size.js';
import { interactionRoutes } from './interaction-routes.js';
import { readModalInputs } from './menu-modal-payloads.js';
import { guildCreatePayload, readyPayload, type FakeGuild } from './payloads.js';
import { createRequestHandler } from './server.js';
import { createSnowflakes } from './snowflake.js';
import { FakeDiscordState, rememberUser } from './state.js';

export type { AddAttachmentInput, FakeDiscord, FakeDiscordOptions, WaitForOptions } from './fake-discord-api.js';
export type {
  AckLatency,
  FollowUpRecord,
  InteractionRecord,
  MessageWithHistory,
  ModalData,
  RecordedAttachment,
  RecordedMessage,
  RequestRecord,
  StoredCommand,
  StoredOption,
} from './state.js';
export type {
  ButtonMessageInput,
  ButtonPressInput,
  InteractionContextInput,
  InteractionHandle,
  SlashCommandInput,
  SlashOptionValue,
} from './interaction-payloads.js';
export type { ChannelErrorCode, FaultSpec } from './faults.js';
export type { CommandPermission } from './command-permissions.js';
export { shardOfGuild, type ShardPair } from './gateway.js';
export { snowflakeOnShard } from './snowflake.js';
export type { FakeGuild, FakeGuildChannel, FakeMember, FakeRole, FakeUser } from './payloads.js';
export type { AddChannelInput, AddMemberInput, AddRoleInput, PostMessageInput } from './guild-setup.js';
export type {
  AutocompleteInput,
  MessageCommandInput,
  MessageRef,
  ModalSubmitInput,
  ModalTextInput,
} from './menu-modal-payloads.js';

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  txt: 'text/plain; charset=utf-8',
};

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const clock = options.clock ?? systemClock;
  const newId = createSnowflakes(() => clock.now());
  const guilds: FakeGuild[] = options.guilds ?? [
    { id: newId(), name: 'Fake Guild', channels: [{ id: newId(), name: 'general' }] },
  ];
  const firstGuild = guilds[0];
  const firstChannel = firstGuild?.channels[0];
  if (!firstGuild || !firstChannel) throw new Error('fake discord needs at least one guild with one channel');
  const state = new FakeDiscordState();
  for (const guild of guilds) {
    for (const channel of guild.channels) {
      state.channels.set(channel.id, { id: channel.id, type: channel.type ?? 0, guildId: guild.id, name: channel.name });
    }
    for (const member of guild.members ?? []) rememberUser(state, member.user);
  }
  let baseUrl = '';
  const cdn = new FakeCdn(() => baseUrl, () => clock.now());
  const applicationId = options.applicationId ?? newId();
  const env: FakeEnv = {
    state,
    cdn,
    bot: { user: { id: applicationId, username: 'Fake Video Bot' }, applicationId },
    botToken: options.botToken ?? `${Buffer.from(applicationId).toString('base64url')}.fake.${newId()}`,
    clock,
    guilds,
    newId,
    ackDeadlineMs: options.ackDeadlineMs ?? 3000,
    tokenLifetimeMs: options.tokenLifetimeMs ?? 15 * 60_000,
    expiredTokenCode: options.expiredTokenCode ?? 50027,
    gatewayUrl: () => baseUrl.replace(/^http/, 'ws'),
    recommendedShards: options.recommendedShards ?? 1,
    maxConcurrency: options.maxConcurrency ?? 16,
  };
  const faults = new FaultInjector();
  const server = createServer(
    createRequestHandler({ env, cdn, faults, routes: [...interactionRoutes(env), ...apiRoutes(env)] }),
  );
  const joinedAt = new Date(clock.now()).toISOString();
  const guildsOf = ([id, count]: ShardPair) => guilds.filter((g) => shardOfGuild(g.id, count) === id);
  const gateway = new FakeGateway({
    server,
    botToken: env.botToken,
    heartbeatIntervalMs: 41_250,
    ready: (sessionId, shard) => readyPayload(env.bot, guildsOf(shard), sessionId, env.gatewayUrl(), shard),
    guildCreates: (shard) => guildsOf(shard).map((g) => guildCreatePayload(g, env.bot, joinedAt)),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dispatcher = createInteractionDispatcher(env, gateway, { guildId: firstGuild.id, channelId: firstChannel.id });
  const setup = createGuildSetup(env, gateway);

  const fake: FakeDiscord = {
    apiUrl: `${baseUrl}/api`,
    gatewayUrl: env.gatewayUrl(),
    botToken: env.botToken,
    applicationId,
    botUserId: env.bot.user.id,
    guilds,
    defaultGuildId: firstGuild.id,
    defaultChannelId: firstChannel.id,
    requests: state.requests,
    get gatewayConnected() {
      return gateway.connected;
    },
    get connectedShards() {
      return gateway.connectedShards;
    },
    get identifiedShards() {
      return [...gateway.identified];
    },
    get identifyCount() {
      return gateway.identifyCount;
    },
    get resumeCount() {
      return gateway.resumeCount;
    },
    sendSlashCommand: (input) => dispatcher.slashCommand(input),
    sendAutocomplete: (input) => dispatcher.autocomplete(input),
    sendMessageCommand: (input) => dispatcher.messageCommand(input),
    pressButton: (input) => dispatcher.button(input),
    submitModal: (input) => dispatcher.modalSubmit(input),
    modalInputs(idOrToken) {
      const modal = state.findInteraction(idOrToken)?.modal;
      if (!modal) throw new Error(`fake discord: interaction ${idOrToken.slice(0, 24)} showed no modal`);
      return readModalInputs(modal);
    },
    postMessage: (input) => setup.postMessage(input),
    addAttachment(input) {
      const id = newId();
      const extension = /\.([a-z0-9]+)$/i.exec(input.filename)?.[1]?.toLowerCase() ?? '';
      const contentType = input.contentType === undefined ? (CONTENT_TYPES[extension] ?? null) : input.contentType;
      const channelId = input.channelId ?? firstChannel.id;
      const size = input.width !== undefined && input.height !== undefined ? { width: input.width, height: input.height } : imageSize(input.bytes);
      const url = cdn.store({ id, channelId, filename: input.filename, contentType, bytes: input.bytes, ...size });
      return cdn.toApiAttachment(id, url);
    },
    expireAttachment: (id) => cdn.expire(id),
    addRole: (input) => setup.addRole(input),
    addMember: (input) => setup.addMember(input),
    addChannel: (input) => setup.addChannel(input),
    interaction(idOrToken) {
      const record = state.findInteraction(idOrToken);
      if (!record) throw new Error(`fake discord: no interaction ${idOrToken.slice(0, 24)}`);
      return record;
    },
    channelMessages: (channelId) => state.channelMessages.get(channelId) ?? [],
    commands: (guildId) => state.commands.get(guildId ?? '') ?? [],
    ackLatencies: () => [...state.ackLatencies],
    failNext: (spec) => faults.add(spec),
    clearFaults: () => faults.clear(),
    setBotPermissions(channelId, permissions) {
      const channel = state.channels.get(channelId);
      if (!channel) throw new Error(`fake discord: no channel ${channelId}`);
      channel.botPermissions = permissions;
    },
    setCommandPermissions(input) {
      const guildId = input.guildId ?? firstGuild.id;
      const match = (c: { name: string; type: number }) => c.name === input.name && c.type === (input.type ?? 1);
      const command = state.commands.get(guildId)?.find(match) ?? state.commands.get('')?.find(match);
      if (!command) throw new Error(`fake discord: no command "${input.name}" registered for guild ${guildId}`);
      state.commandPermissions.set(`${guildId}:${command.id}`, input.permissions.map((entry) => ({ ...entry })));
    },
    deleteChannel(channelId) {
      const channel = state.channels.get(channelId);
      if (!channel) throw new Error(`fake discord: no channel ${channelId}`);
      channel.deleted = true;
    },
    unexpectedRequests: () => state.requests.filter((r) => r.unexpected),
    invalidBodies: () => state.requests.filter((r) => r.invalidBody !== undefined),
    expectInvalidBodies() {
      const taken = state.requests.filter((r) => r.invalidBody !== undefined && !r.invalidBodyExpected);
      for (const r of taken) r.invalidBodyExpected = true;
      return taken;
    },
    assertNoUnexpectedRequests() {
      const unexpected = state.requests.filter((r) => r.unexpected);
      const invalid = state.requests.filter((r) => r.invalidBody !== undefined && !r.invalidBodyExpected);
      const problems: string[] = [];
      if (unexpected.length > 0) {
        const list = unexpected.map((r) => `  ${r.method} ${r.path}${r.query} -> ${r.status}`).join('\n');
        problems.push(`fake discord got ${unexpected.length} request(s) it has no route for:\n${list}`);
      }
      if (invalid.length > 0) {
        const list = invalid.map((r) => `  ${r.method} ${r.path} -> ${r.status}: ${r.invalidBody}`).join('\n');
        problems.push(`fake discord refused ${invalid.length} body(ies) real Discord would refuse:\n${list}`);
      }
      if (problems.length > 0) throw new Error(problems.join('\n'));
    },
    async waitFor(probe, waitOptions = {}) {
      const deadline = Date.now() + (waitOptions.timeoutMs ?? 5000);
      for (;;) {
        const value = probe(fake);
        if (value !== undefined && value !== null && value !== false) return value;
        if (Date.now() >= deadline) {
          throw new Error(`fake discord: timed out waiting for ${waitOptions.description ?? 'condition'}`);
        }
        await new Promise((resolve) => setTimeout(resolve, waitOptions.intervalMs ?? 10));
      }
    },
    dispatchGatewayEvent: (event, data) => gateway.dispatch(event, data),
    disconnectGateway: (code, shardId) => gateway.disconnect(code, undefined, shardId),
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
