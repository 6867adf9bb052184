import type { APIAttachment } from 'discord-api-types/v10';
import { apiRoles, toApiGuildChannel, type FakeGuild } from './guild-model.js';
import type { RecordedAttachment, RecordedMessage } from './state.js';

export type { FakeGuild, FakeGuildChannel, FakeMember, FakeRole } from './guild-model.js';

export interface FakeUser {
  id: string;
  username: string;
  globalName?: string;
}

export interface BotIdentity {
  user: FakeUser;
  applicationId: string;
}

export function toApiUser(user: FakeUser, bot = false): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.globalName ?? null,
    avatar: null,
    bot,
    public_flags: 0,
  };
}

export function readyPayload(
  bot: BotIdentity,
  guilds: FakeGuild[],
  sessionId: string,
  gatewayUrl: string,
  shard: [number, number] = [0, 1],
): unknown {
  return {
    v: 10,
    user: { ...toApiUser(bot.user, true), verified: true, mfa_enabled: false, flags: 0 },
    guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
    application: { id: bot.applicationId, flags: 0 },
    session_id: sessionId,
    resume_gateway_url: gatewayUrl,
    shard,
    private_channels: [],
    relationships: [],
    user_settings: {},
    presences: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: [],
  };
}

export function guildCreatePayload(guild: FakeGuild, bot: BotIdentity, joinedAt: string): unknown {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    owner_id: guild.ownerId ?? bot.user.id,
    unavailable: false,
    roles: apiRoles(guild),
    channels: guild.channels.map((c, position) => toApiGuildChannel(guild, c, position)),
    members: [],
    emojis: [],
    stickers: [],
    features: [],
    threads: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    joined_at: joinedAt,
    member_count: 1 + (guild.members?.length ?? 1),
    large: false,
    premium_tier: 0,
    preferred_locale: 'en-US',
    system_channel_id: null,
    afk_channel_id: null,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
  };
}

export function toApiAttachment(attachment: RecordedAttachment): APIAttachment {
  return {
    id: attachment.id,
    filename: attachment.filename,
    size: attachment.size,
    url: attachment.url,
    proxy_url: attachment.url,
    ...(attachment.contentType === null ? {} : { content_type: attachment.contentType }),
    ...(attachment.width === undefined ? {} : { width: attachment.width, height: attachment.height }),
  };
}

/** The wire form of a message, as Discord returns it from create/edit/get. */
export function toApiMessage(
  message: RecordedMessage,
  created: RecordedMessage,
  bot: BotIdentity,
  extra: {
    guildId?: string | undefined;
    webhook?: boolean;
    type?: number;
    /** For interaction responses and follow-ups: which interaction made them (`interaction_metadata`). */
    interactionMetadata?: Record<string, unknown>;
  } = {},
): Record<string, unknown> {
  return {
    id: message.id,
    type: extra.type ?? 0,
    channel_id: message.channelId,
    ...(extra.guildId ? { guild_id: extra.guildId } : {}),
    author: message.author ? toApiUser(message.author) : toApiUser(bot.user, true),
    content: message.content,
    embeds: message.embeds.map((embed) => withAttachmentUrls(embed, message.attachments)),
    components: message.components,
    attachments: message.attachments.map(toApiAttachment),
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    flags: message.flags,
    timestamp: new Date(created.at).toISOString(),
    edited_timestamp: message === created ? null : new Date(message.at).toISOString(),
    ...(extra.webhook ? { webhook_id: bot.applicationId, application_id: bot.applicationId } : {}),
    ...(extra.interactionMetadata ? { interaction_metadata: extra.interactionMetadata } : {}),
  };
}

/**
 * Discord shows an embed's `attachment://name` image or thumbnail as that attachment's CDN link in what it returns
 * (the fake records the embed as the bot sent it).
 */
function withAttachmentUrls(embed: unknown, attachments: RecordedAttachment[]): unknown {
  if (typeof embed !== 'object' || embed === null) return embed;
  const result: Record<string, unknown> = { ...(embed as Record<string, unknown>) };
  for (const key of ['image', 'thumbnail'] as const) {
    const media = result[key] as { url?: unknown } | undefined;
    const name = typeof media?.url === 'string' ? /^attachment:\/\/(.+)$/.exec(media.url)?.[1] : undefined;
    const file = name === undefined ? undefined : attachments.find((a) => a.filename === name);
    if (file) result[key] = { ...media, url: file.url, proxy_url: file.url };
  }
  return result;
}
