/**
 * A loopback Discord for end-to-end tests: one HTTP server on 127.0.0.1 serves the REST API under `/api/v10`, the
 * gateway (WebSocket upgrade on the same port) and a CDN for attachments. The real discord.js Client logs in with
 * `rest: { api: fake.apiUrl }`; tests drive members through `sendSlashCommand` / `pressButton` and read what a member
 * would see through `interaction()` and `channelMessages()`. Any request without a route is answered 404 and fails
 * `assertNoUnexpectedRequests()`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIAttachment } from 'discord-api-types/v10';
import { systemClock, type Clock } from '../../../src/clock.js';
import { apiRoutes } from './api-routes.js';
import { FakeCdn } from './cdn.js';
import { imageSize } from './image-size.js';
import type { FakeEnv } from './env.js';
import { FaultInjector, type FaultSpec } from './faults.js';
import { FakeGateway } from './gateway.js';
import { interactionRoutes } from './interaction-routes.js';
import { createInteractionDispatcher } from './dispatch.js';
import type { ButtonPressInput, InteractionHandle, SlashCommandInput } from './interaction-payloads.js';
import {
  createGuildSetup,
  type AddChannelInput,
  type AddMemberInput,
  type AddRoleInput,
  type PostMessageInput,
} from './guild-setup.js';
import {
  readModalInputs,
  type AutocompleteInput,
  type MessageCommandInput,
  type ModalSubmitInput,
  type ModalTextInput,
} from './menu-modal-payloads.js';
import { guildCreatePayload, readyPayload, type FakeGuild, type FakeGuildChannel, type FakeMember, type FakeRole } from './payloads.js';
import { createRequestHandler } from './server.js';
import { createSnowflakes } from './snowflake.js';
import {
  FakeDiscordState,
  rememberUser,
  type AckLatency,
  type InteractionRecord,
  type MessageWithHistory,
  type RequestRecord,
  type StoredCommand,
} from './state.js';

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
export type { FakeGuild, FakeGuildChannel, FakeMember, FakeRole, FakeUser } from './payloads.js';
export type { AddChannelInput, AddMemberInput, AddRoleInput, PostMessageInput } from './guild-setup.js';
export type {
  AutocompleteInput,
  MessageCommandInput,
  MessageRef,
  ModalSubmitInput,
  ModalTextInput,
} from './menu-modal-payloads.js';

export interface FakeDiscordOptions {
  /** Clock for deadlines, token expiry and recorded times; default the system clock. */
  clock?: Clock;
  /** Guilds the bot is in; default one guild with one text channel. */
  guilds?: FakeGuild[];
  botToken?: string;
  applicationId?: string;
  /** Time allowed between INTERACTION_CREATE and the callback; default 3000 ms (Discord's 3 s). */
  ackDeadlineMs?: number;
  /** Lifetime of an interaction token for webhook routes; default 15 minutes. */
  tokenLifetimeMs?: number;
  /** What an expired token gets: 401 50027 Invalid Webhook Token (default) or 404 10015 Unknown Webhook. */
  expiredTokenCode?: 50027 | 10015;
  /** Port to listen on; default one the OS picks. A test that starts the fake after the bot passes one it chose. */
  port?: number;
}

export interface AddAttachmentInput {
  bytes: Buffer;
  filename: string;
  /** Undefined: guessed from the extension; null: the attachment has no `content_type` (Discord omits it sometimes). */
  contentType?: string | null;
  /** Channel the upload belongs to (only shapes the URL); default the first channel. */
  channelId?: string;
  /** Image size Discord reports; default read from a PNG or GIF header, else none. */
  width?: number;
  height?: number;
}

export interface WaitForOptions {
  /** Real milliseconds to wait before failing; default 5000. */
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown in the timeout error. */
  description?: string;
}

/** A loopback Discord (REST, gateway, CDN) that the real discord.js Client logs in to. */
export interface FakeDiscord {
  /** Pass as discord.js `rest.api`; discord.js appends `/v10`. */
  readonly apiUrl: string;
  readonly gatewayUrl: string;
  readonly botToken: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly guilds: readonly FakeGuild[];
  readonly defaultGuildId: string;
  readonly defaultChannelId: string;
  /** Every HTTP request received, in order, tokens redacted. */
  readonly requests: readonly RequestRecord[];
  /** True while a client is identified on the gateway. */
  readonly gatewayConnected: boolean;
  /** Successful IDENTIFYs so far (grows on a fresh reconnect). */
  readonly identifyCount: number;
  /** Successful RESUMEs so far (grows when discord.js resumes after a dropped connection). */
  readonly resumeCount: number;

  /** A slash command; `subcommand: 'quota role'` nests the options, user/role/channel options get `resolved`. */
  sendSlashCommand(input: SlashCommandInput): InteractionHandle;
  /** Autocomplete (interaction type 4) while typing `focused`; the bot answers with callback type 8 (`choices`). */
  sendAutocomplete(input: AutocompleteInput): InteractionHandle;
  /** A message context-menu command (type 2, data.type 3) on a message in the fake, with `resolved.messages`. */
  sendMessageCommand(input: MessageCommandInput): InteractionHandle;
  /**
   * A button press on any message in the fake: the original response, a follow-up or a channel message. 6/7 and
   * `@original` edits change that message; a 4/5 reply becomes the press's own `original`.
   */
  pressButton(input: ButtonPressInput): InteractionHandle;
  /**
   * MODAL_SUBMIT (type 5) in the shown modal's shape (Label by default). `from` names the interaction that showed
   * it (gives custom_id and, for a button's modal, `message`, which allows 6/7); unknown or missing required fields throw.
   */
  submitModal(input: ModalSubmitInput): InteractionHandle;
  /** The text inputs of the modal an interaction showed (custom_id, style, required, prefill …); throws if none. */
  modalInputs(idOrToken: string): ModalTextInput[];
  /** A member's message (content, uploads from addAttachment, embeds), shown in `channelMessages`. */
  postMessage(input: PostMessageInput): MessageWithHistory;
  addAttachment(input: AddAttachmentInput): APIAttachment;
  /** A new role in a guild (GUILD_ROLE_CREATE is sent); give its id (or itself) to members and ROLE options. */
  addRole(input: AddRoleInput): FakeRole;
  /** A member with roles; interactions from their user id carry those roles and the permissions they give. */
  addMember(input: AddMemberInput): FakeMember;
  /** A new guild channel (CHANNEL_CREATE is sent), usable as a CHANNEL option or an interaction's channel. */
  addChannel(input: AddChannelInput): FakeGuildChannel;
  /** The attachment's URL answers 404 from now on. */
  expireAttachment(id: string): void;
  /** What happened to an interaction, by id or token; throws for an unknown one. */
  interaction(idOrToken: string): InteractionRecord;
  /** Messages in a channel, oldest first, each with its edit history. */
  channelMessages(channelId: string): MessageWithHistory[];
  /** Registered commands: global when `guildId` is absent. */
  commands(guildId?: string): StoredCommand[];
  ackLatencies(): AckLatency[];
  failNext(spec: FaultSpec): void;
  /** Drops every injected fault not yet used up (e.g. to end a `times: Infinity` storm). */
  clearFaults(): void;
  /**
   * The bot's permissions in a channel from now on (bits as in `PermissionFlagsBits`): sent as `app_permissions` by
   * later interactions there, and enforced on its channel routes (403 50001 without View Channel, 403 50013 without
   * Send Messages or, for uploads, Attach Files; an empty history without Read Message History).
   */
  setBotPermissions(channelId: string, permissions: bigint): void;
  /** The channel is deleted: its routes, and the webhooks of interactions made in it, answer 404 10003. */
  deleteChannel(channelId: string): void;
  unexpectedRequests(): RequestRecord[];
  /** Requests whose body Discord's schema or limits refused (400 50035), each with its `invalidBody` reason. */
  invalidBodies(): RequestRecord[];
  /**
   * For a test that sends a bad body on purpose: returns the refused requests not yet taken and marks them expected,
   * so `assertNoUnexpectedRequests()` no longer fails on them.
   */
  expectInvalidBodies(): RequestRecord[];
  /** Throws listing every request that had no route or whose body Discord would refuse. Call it in afterEach. */
  assertNoUnexpectedRequests(): void;
  /** Polls `probe` until it returns something other than undefined/null/false, and resolves with that value. */
  waitFor<T>(probe: (fake: FakeDiscord) => T | undefined | null | false, options?: WaitForOptions): Promise<T>;
  /** Sends any other gateway dispatch (op 0), e.g. `GUILD_DELETE`; throws when no client is identified. */
  dispatchGatewayEvent(event: string, data: unknown): void;
  /**
   * Closes the gateway connection from the server side. With a resumable code (default 4000) discord.js resumes;
   * with e.g. 4009 (session timed out) or 1000 it identifies again after its ~5 s identify throttle.
   */
  disconnectGateway(code?: number): void;
  close(): Promise<void>;
}

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
  };
  const faults = new FaultInjector();
  const server = createServer(
    createRequestHandler({ env, cdn, faults, routes: [...interactionRoutes(env), ...apiRoutes(env)] }),
  );
  const joinedAt = new Date(clock.now()).toISOString();
  const gateway = new FakeGateway({
    server,
    botToken: env.botToken,
    heartbeatIntervalMs: 41_250,
    ready: (sessionId) => readyPayload(env.bot, guilds, sessionId, env.gatewayUrl()),
    guildCreates: () => guilds.map((g) => guildCreatePayload(g, env.bot, joinedAt)),
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
    disconnectGateway: (code) => gateway.disconnect(code),
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
