import type { APIAttachment } from 'discord-api-types/v10';
import type { Clock } from '../../../src/clock.js';
import type { CommandPermission } from './command-permissions.js';
import type { FaultSpec } from './faults.js';
import type { AddChannelInput, AddMemberInput, AddRoleInput, PostMessageInput } from './guild-setup.js';
import type { ButtonPressInput, InteractionHandle, SlashCommandInput } from './interaction-payloads.js';
import type { AutocompleteInput, MessageCommandInput, ModalSubmitInput, ModalTextInput } from './menu-modal-payloads.js';
import type { FakeGuild, FakeGuildChannel, FakeMember, FakeRole } from './payloads.js';
import type { AckLatency, InteractionRecord, MessageWithHistory, RequestRecord, StoredCommand } from './state.js';

// The fake's public surface; `startFakeDiscord` in fake-discord.ts makes one.

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
  /** `GET /gateway/bot`'s recommended `shards`; default 1. */
  recommendedShards?: number;
  /** `session_start_limit.max_concurrency` (identifies per 5 s, one bucket per `shard % n`); default 16. */
  maxConcurrency?: number;
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
  /** True while a client (any shard) is identified on the gateway. */
  readonly gatewayConnected: boolean;
  /** Ids of the shards identified on the gateway now, ascending. */
  readonly connectedShards: readonly number[];
  /** `[shard, count]` of every successful IDENTIFY so far, in order. */
  readonly identifiedShards: readonly [number, number][];
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
  /**
   * What a server's admins set for one registered command in Server Settings → Integrations (replaces the previous
   * entries): e.g. a role allowed to use /video-admin without Manage Server. Slash and menu commands are sent only
   * to members Discord would show them to (command-permissions.ts); throws when the command is not registered.
   */
  setCommandPermissions(input: { name: string; guildId?: string; type?: number; permissions: CommandPermission[] }): void;
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
  disconnectGateway(code?: number, shardId?: number): void;
  close(): Promise<void>;
}
