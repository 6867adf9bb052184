import type { FakeEnv } from './env.js';
import { uploadStore } from './env.js';
import { discordError, errors, type Reply } from './http.js';
import { buildVersion, isMessageBody, isRecordedMessage, parseMessageBody } from './message-body.js';
import { DEFAULT_APP_PERMISSIONS, DEFAULT_ATTACHMENT_SIZE_LIMIT } from './interaction-payloads.js';
import { toApiMessage, toApiUser } from './payloads.js';
import type { Route, RouteContext } from './router.js';
import { checkBody } from './schema-check.js';
import { interactionMetadata, responseMessageType } from './message-lookup.js';
import { MessageFlag, type FakeChannel, type StoredCommand } from './state.js';

/** Channel messages may suppress embeds/notifications or use components v2, but are never ephemeral. */
const CHANNEL_FLAGS = 4 | 4096 | MessageFlag.ComponentsV2;
/** How long Discord remembers a nonce sent with `enforce_nonce` ("the past few minutes"; the fake says five). */
export const NONCE_WINDOW_MS = 5 * 60_000;

const bit = (n: number): bigint => 1n << BigInt(n);
export const Permission = {
  ViewChannel: bit(10),
  SendMessages: bit(11),
  ManageMessages: bit(13),
  EmbedLinks: bit(14),
  AttachFiles: bit(15),
  ReadMessageHistory: bit(16),
} as const;

const missingAccess = (): Reply => discordError(403, 50001, 'Missing Access');
const missingPermissions = (): Reply => discordError(403, 50013, 'Missing Permissions');

/** The channel for a bot route, or Discord's refusal: unknown (or deleted), or not visible to the bot. */
function usableChannel(env: FakeEnv, channelId: string): FakeChannel | Reply {
  const channel = env.state.channels.get(channelId);
  if (!channel || channel.deleted) return errors.unknownChannel();
  if (!has(channel, Permission.ViewChannel)) return missingAccess();
  return channel;
}

function has(channel: FakeChannel, permission: bigint): boolean {
  if (channel.type === 1) return true;
  return ((channel.botPermissions ?? DEFAULT_APP_PERMISSIONS) & permission) === permission;
}

function isChannel(value: FakeChannel | Reply): value is FakeChannel {
  return 'type' in value;
}

function channelJson(env: FakeEnv, channelId: string): Reply {
  const channel = env.state.channels.get(channelId);
  if (!channel || channel.deleted) return errors.unknownChannel();
  if (channel.type === 1) {
    const recipient = { id: channel.recipientId ?? '0', username: 'member' };
    const json = { id: channel.id, type: 1, recipients: [toApiUser(recipient)], last_message_id: null };
    return { status: 200, json };
  }
  const { id, type, guildId, name } = channel;
  return { status: 200, json: { id, type, guild_id: guildId, name, position: 0, permission_overwrites: [] } };
}

async function createChannelMessage(env: FakeEnv, ctx: RouteContext): Promise<Reply> {
  const [channelId = ''] = ctx.params;
  const channel = usableChannel(env, channelId);
  if (!isChannel(channel)) return channel;
  if (!has(channel, Permission.SendMessages)) return missingPermissions();
  const parsed = await parseMessageBody(ctx.headers['content-type'], ctx.body);
  if (!isMessageBody(parsed)) return parsed;
  const refused = checkBody('message-create', parsed.json);
  if (refused) return refused;
  if (parsed.files.length > 0 && !has(channel, Permission.AttachFiles)) return missingPermissions();
  const nonce = parsed.json.nonce;
  const nonceKey = typeof nonce === 'string' || typeof nonce === 'number' ? `${channelId}:${nonce}` : undefined;
  if (nonceKey && parsed.json.enforce_nonce === true) {
    const seen = env.state.nonces.get(nonceKey);
    const existing = seen && ctx.now - seen.at < NONCE_WINDOW_MS ? env.state.findChannelMessage(seen.messageId) : undefined;
    if (existing) {
      const created = existing.history[0] ?? existing;
      return { status: 200, json: toApiMessage(existing, created, env.bot, { guildId: channel.guildId }) };
    }
  }
  const flags = typeof parsed.json.flags === 'number' ? parsed.json.flags & CHANNEL_FLAGS : 0;
  const version = buildVersion(undefined, parsed, {
    id: env.newId(),
    channelId,
    at: ctx.now,
    flags,
    sizeLimit: DEFAULT_ATTACHMENT_SIZE_LIMIT,
    store: uploadStore(env, channelId),
  });
  if (!isRecordedMessage(version)) return version;
  const list = env.state.channelMessages.get(channelId) ?? [];
  list.push({ ...version, history: [version] });
  env.state.channelMessages.set(channelId, list);
  if (nonceKey && parsed.json.enforce_nonce === true) env.state.nonces.set(nonceKey, { messageId: version.id, at: ctx.now });
  return { status: 200, json: toApiMessage(version, version, env.bot, { guildId: channel.guildId }) };
}

function findMessage(env: FakeEnv, ctx: RouteContext) {
  const [channelId = '', messageId = ''] = ctx.params;
  const channel = env.state.channels.get(channelId);
  const message = env.state.channelMessages.get(channelId)?.find((m) => m.id === messageId);
  return { channel, message, channelId };
}

async function editChannelMessage(env: FakeEnv, ctx: RouteContext): Promise<Reply> {
  const { channel, message, channelId } = findMessage(env, ctx);
  const usable = usableChannel(env, channelId);
  if (!channel || !isChannel(usable)) return isChannel(usable) ? errors.unknownChannel() : usable;
  if (!message) return errors.unknownMessage();
  if (message.author) return discordError(403, 50005, 'Cannot edit a message authored by another user');
  const parsed = await parseMessageBody(ctx.headers['content-type'], ctx.body);
  if (!isMessageBody(parsed)) return parsed;
  const refused = checkBody('message-edit', parsed.json, { messageFlags: message.flags });
  if (refused) return refused;
  if (parsed.files.length > 0 && !has(usable, Permission.AttachFiles)) return missingPermissions();
  const version = buildVersion(message, parsed, {
    id: message.id,
    channelId,
    at: ctx.now,
    flags: message.flags,
    sizeLimit: DEFAULT_ATTACHMENT_SIZE_LIMIT,
    store: uploadStore(env, channelId),
  });
  if (!isRecordedMessage(version)) return version;
  Object.assign(message, version);
  message.history.push(version);
  const created = message.history[0] ?? version;
  return { status: 200, json: toApiMessage(version, created, env.bot, { guildId: channel.guildId }) };
}

/**
 * `GET /channels/{id}/messages?after|before|around=&limit=`: what the channel shows, the bot's channel messages and the
 * non-ephemeral interaction responses and follow-ups made in it, newest first. Without Read Message History Discord
 * answers an empty list.
 */
function listMessages(env: FakeEnv, ctx: RouteContext): Reply {
  const [channelId = ''] = ctx.params;
  const channel = usableChannel(env, channelId);
  if (!isChannel(channel)) return channel;
  if (!has(channel, Permission.ReadMessageHistory)) return { status: 200, json: [] };
  const limit = Math.min(100, Math.max(1, Number(ctx.query.get('limit') ?? 50) || 50));
  const shown: Record<string, unknown>[] = [];
  for (const message of env.state.channelMessages.get(channelId) ?? []) {
    shown.push(toApiMessage(message, message.history[0] ?? message, env.bot, { guildId: channel.guildId }));
  }
  for (const record of env.state.interactions.values()) {
    if (record.channelId !== channelId || record.ephemeral) continue;
    const metadata = interactionMetadata(env, record);
    const extra = { guildId: record.guildId, webhook: true, interactionMetadata: metadata };
    // A press's original starts as the message it was on (listed with its own owner) until it replies anew.
    if (record.original && record.original.id !== record.message?.id) {
      const created = record.originalHistory[0] ?? record.original;
      shown.push(toApiMessage(record.original, created, env.bot, { ...extra, type: responseMessageType(record, record.original.id) }));
    }
    for (const followUp of record.followUps) {
      if (followUp.editedLoadingOriginal || (followUp.flags & MessageFlag.Ephemeral) !== 0) continue;
      shown.push(toApiMessage(followUp, followUp.history[0] ?? followUp, env.bot, extra));
    }
  }
  const id = (m: Record<string, unknown>): bigint => BigInt(m.id as string);
  shown.sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  const after = ctx.query.get('after');
  const before = ctx.query.get('before');
  let picked: Record<string, unknown>[];
  if (after) picked = shown.filter((m) => id(m) > BigInt(after)).slice(0, limit);
  else if (before) picked = shown.filter((m) => id(m) < BigInt(before)).slice(-limit);
  else picked = shown.slice(-limit);
  return { status: 200, json: picked.reverse() };
}

function commandsKey(env: FakeEnv, ctx: RouteContext): string | Reply {
  const [appId = '', guildId] = ctx.params;
  if (appId !== env.bot.applicationId) {
    return discordError(403, 20012, 'You are not authorized to perform this action on this application');
  }
  if (guildId !== undefined && guildId !== '' && !env.guilds.some((g) => g.id === guildId)) {
    return discordError(403, 50001, 'Missing Access');
  }
  return guildId ?? '';
}

function putCommands(env: FakeEnv, ctx: RouteContext): Reply {
  const key = commandsKey(env, ctx);
  if (typeof key !== 'string') return key;
  let body: unknown;
  try {
    body = JSON.parse(ctx.body.toString('utf8'));
  } catch {
    return discordError(400, 50109, 'The request body contains invalid JSON.');
  }
  if (!Array.isArray(body)) return errors.invalidFormBody('_', 'BASE_TYPE_ARRAY', 'Must be an array.');
  const refused = checkBody('commands', body);
  if (refused) return refused;
  const previous = env.state.commands.get(key) ?? [];
  const stored = (body as Record<string, unknown>[]).map((command): StoredCommand => {
    const name = String(command.name);
    const type = typeof command.type === 'number' ? command.type : 1;
    const permissions = command.default_member_permissions;
    return {
      nsfw: false,
      ...command,
      // Discord stores the bitfield as a string (or null: everyone), whichever JSON type it was sent as.
      default_member_permissions: permissions === undefined || permissions === null ? null : String(permissions),
      // Context-menu commands have no description; Discord stores "".
      description: typeof command.description === 'string' ? command.description : '',
      id: previous.find((p) => p.name === name && p.type === type)?.id ?? env.newId(),
      application_id: env.bot.applicationId,
      ...(key === '' ? {} : { guild_id: key }),
      name,
      type,
      version: env.newId(),
    };
  });
  env.state.commands.set(key, stored);
  return { status: 200, json: stored };
}

/** Bot-authenticated API routes: gateway discovery, identity, channels, messages, DMs, command registration. */
export function apiRoutes(env: FakeEnv): Route[] {
  const app = {
    id: env.bot.applicationId,
    name: env.bot.user.username,
    description: '',
    icon: null,
    bot_public: true,
    bot_require_code_grant: false,
    flags: 0,
    bot: toApiUser(env.bot.user, true),
  };
  const gateway = (): Record<string, unknown> => ({ url: env.gatewayUrl() });
  return [
    {
      method: 'GET',
      pattern: /^\/gateway\/bot$/,
      name: 'GET /gateway/bot',
      auth: 'bot',
      handle: () => ({
        status: 200,
        json: {
          ...gateway(),
          shards: env.recommendedShards,
          session_start_limit: {
            total: 1000,
            remaining: 999,
            reset_after: 14_400_000,
            max_concurrency: env.maxConcurrency,
          },
        },
      }),
    },
    {
      method: 'GET',
      pattern: /^\/gateway$/,
      name: 'GET /gateway',
      auth: 'none',
      handle: () => ({ status: 200, json: gateway() }),
    },
    {
      method: 'GET',
      pattern: /^\/users\/@me$/,
      name: 'GET /users/@me',
      auth: 'bot',
      handle: () => ({ status: 200, json: toApiUser(env.bot.user, true) }),
    },
    {
      method: 'GET',
      pattern: /^\/applications\/@me$/,
      name: 'GET /applications/@me',
      auth: 'bot',
      handle: () => ({ status: 200, json: app }),
    },
    {
      method: 'POST',
      pattern: /^\/users\/@me\/channels$/,
      name: 'POST /users/@me/channels',
      auth: 'bot',
      handle: (ctx) => {
        const body = JSON.parse(ctx.body.toString('utf8') || '{}') as { recipient_id?: unknown };
        const recipientId = String(body.recipient_id);
        const existing = [...env.state.channels.values()].find((c) => c.type === 1 && c.recipientId === recipientId);
        const channel = existing ?? { id: env.newId(), type: 1, guildId: undefined, name: undefined, recipientId };
        env.state.channels.set(channel.id, channel);
        return channelJson(env, channel.id);
      },
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(\d+)$/,
      name: 'GET /channels/:channel',
      auth: 'bot',
      handle: (ctx) => channelJson(env, ctx.params[0] ?? ''),
    },
    {
      method: 'POST',
      pattern: /^\/channels\/(\d+)\/messages$/,
      name: 'POST /channels/:channel/messages',
      auth: 'bot',
      handle: (ctx) => createChannelMessage(env, ctx),
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(\d+)\/messages$/,
      name: 'GET /channels/:channel/messages',
      auth: 'bot',
      handle: (ctx) => listMessages(env, ctx),
    },
    {
      method: 'PATCH',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
      name: 'PATCH /channels/:channel/messages/:message',
      auth: 'bot',
      handle: (ctx) => editChannelMessage(env, ctx),
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
      name: 'GET /channels/:channel/messages/:message',
      auth: 'bot',
      handle: (ctx) => {
        const { channel, message, channelId } = findMessage(env, ctx);
        const usable = usableChannel(env, channelId);
        if (!channel || !isChannel(usable)) return isChannel(usable) ? errors.unknownChannel() : usable;
        if (!has(usable, Permission.ReadMessageHistory)) return missingAccess();
        if (!message) return errors.unknownMessage();
        const created = message.history[0] ?? message;
        return { status: 200, json: toApiMessage(message, created, env.bot, { guildId: channel.guildId }) };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
      name: 'DELETE /channels/:channel/messages/:message',
      auth: 'bot',
      handle: (ctx) => {
        const { channel, message, channelId } = findMessage(env, ctx);
        const usable = usableChannel(env, channelId);
        if (!channel || !isChannel(usable)) return isChannel(usable) ? errors.unknownChannel() : usable;
        if (!message) return errors.unknownMessage();
        if (message.author && !has(usable, Permission.ManageMessages)) return missingPermissions();
        const list = env.state.channelMessages.get(channelId) ?? [];
        list.splice(list.indexOf(message), 1);
        return { status: 204 };
      },
    },
    {
      method: 'PUT',
      pattern: /^\/applications\/(\d+)\/commands$/,
      name: 'PUT /applications/:app/commands',
      auth: 'bot',
      handle: (ctx) => putCommands(env, ctx),
    },
    {
      method: 'PUT',
      pattern: /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
      name: 'PUT /applications/:app/guilds/:guild/commands',
      auth: 'bot',
      handle: (ctx) => putCommands(env, ctx),
    },
    ...(['/applications/:app/commands', '/applications/:app/guilds/:guild/commands'] as const).map(
      (name, i): Route => ({
        method: 'GET',
        pattern: i === 0 ? /^\/applications\/(\d+)\/commands$/ : /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
        name: `GET ${name}`,
        auth: 'bot',
        handle: (ctx) => {
          const key = commandsKey(env, ctx);
          return typeof key === 'string' ? { status: 200, json: env.state.commands.get(key) ?? [] } : key;
        },
      }),
    ),
  ];
}
