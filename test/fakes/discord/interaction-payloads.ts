import type { APIAttachment } from 'discord-api-types/v10';
import { toApiAttachment, toApiUser, type BotIdentity, type FakeUser } from './payloads.js';
import type { RecordedAttachment, StoredCommand } from './state.js';

const bit = (n: number): bigint => 1n << BigInt(n);
/** @everyone-like rights: view, send, embed, attach, history, reactions, external emoji, voice, app commands. */
export const DEFAULT_MEMBER_PERMISSIONS = [10, 11, 14, 15, 16, 6, 18, 20, 21, 31].reduce((acc, n) => acc | bit(n), 0n);
/** What a freshly invited bot typically has in a channel: view, send, embed, attach, history, app commands. */
export const DEFAULT_APP_PERMISSIONS = [10, 11, 14, 15, 16, 31, 38].reduce((acc, n) => acc | bit(n), 0n);
export const DEFAULT_ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

export const OptionType = { String: 3, Integer: 4, Boolean: 5, Number: 10, Attachment: 11 } as const;

/** An option value: plain values are typed from the registered command (or guessed), or give `{type, value}`. */
export type SlashOptionValue =
  | string
  | number
  | boolean
  | APIAttachment
  | { type: number; value: string | number | boolean };

/** Who did it and where; everything defaults to the fake's first guild, first channel and a default member. */
export interface InteractionContextInput {
  user?: Partial<FakeUser>;
  guildId?: string;
  channelId?: string;
  /** Member permissions in the channel, e.g. `PermissionFlagsBits.ManageGuild | ...`. */
  permissions?: bigint | string;
  roles?: string[];
  /** The bot's permissions in the channel (`app_permissions`). */
  appPermissions?: bigint | string;
  /** Per-file upload limit in bytes for this interaction; default 10 MiB. */
  attachmentSizeLimit?: number;
  /** 'dm' sends a BOT_DM interaction: `user` instead of `member`, no guild. */
  context?: 'guild' | 'dm';
  locale?: string;
}

export interface SlashCommandInput extends InteractionContextInput {
  name: string;
  options?: Record<string, SlashOptionValue>;
}

/** The message a button sits on; a `RecordedMessage` from the fake fits. */
export interface ButtonMessageInput {
  id: string;
  channelId?: string;
  content?: string;
  components?: unknown[];
  flags?: number;
  attachments?: RecordedAttachment[];
}

export interface ButtonPressInput extends InteractionContextInput {
  message: ButtonMessageInput;
  customId: string;
}

/** What the test gets back from a dispatch. `sentAt` is clock time. */
export interface InteractionHandle {
  id: string;
  token: string;
  applicationId: string;
  sentAt: number;
}

/** Resolved "who and where" for one interaction. */
export interface InteractionScene {
  id: string;
  token: string;
  bot: BotIdentity;
  user: FakeUser;
  guildId: string | undefined;
  channelId: string;
  channelName: string | undefined;
  input: InteractionContextInput;
  joinedAt: string;
}

function isAttachment(value: SlashOptionValue): value is APIAttachment {
  return typeof value === 'object' && 'url' in value && 'id' in value;
}

function guessType(value: string | number | boolean): number {
  if (typeof value === 'string') return OptionType.String;
  if (typeof value === 'boolean') return OptionType.Boolean;
  return Number.isInteger(value) ? OptionType.Integer : OptionType.Number;
}

export function toOptions(
  options: Record<string, SlashOptionValue>,
  command: StoredCommand | undefined,
): { options: unknown[]; attachments: Record<string, APIAttachment> } {
  const attachments: Record<string, APIAttachment> = {};
  const wire = Object.entries(options).map(([name, value]) => {
    if (isAttachment(value)) {
      attachments[value.id] = value;
      return { name, type: OptionType.Attachment, value: value.id };
    }
    if (typeof value === 'object') return { name, type: value.type, value: value.value };
    const registered = command?.options?.find((o) => o.name === name)?.type;
    return { name, type: registered ?? guessType(value), value };
  });
  return { options: wire, attachments };
}

function baseInteraction(scene: InteractionScene): Record<string, unknown> {
  const { input } = scene;
  const inGuild = input.context !== 'dm' && scene.guildId !== undefined;
  const apiUser = toApiUser(scene.user);
  const who = inGuild
    ? {
        member: {
          user: apiUser,
          roles: input.roles ?? [],
          permissions: String(input.permissions ?? DEFAULT_MEMBER_PERMISSIONS),
          joined_at: scene.joinedAt,
          nick: null,
          avatar: null,
          deaf: false,
          mute: false,
          pending: false,
          flags: 0,
          premium_since: null,
          communication_disabled_until: null,
        },
      }
    : { user: apiUser };
  const channel = inGuild
    ? { id: scene.channelId, type: 0, guild_id: scene.guildId, name: scene.channelName ?? 'general' }
    : { id: scene.channelId, type: 1, recipients: [apiUser] };
  return {
    id: scene.id,
    application_id: scene.bot.applicationId,
    token: scene.token,
    version: 1,
    ...(inGuild ? { guild_id: scene.guildId, guild_locale: 'en-US' } : {}),
    channel_id: scene.channelId,
    channel,
    ...who,
    app_permissions: String(input.appPermissions ?? DEFAULT_APP_PERMISSIONS),
    locale: input.locale ?? 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': inGuild ? scene.guildId : '0' },
    context: inGuild ? 0 : 1,
    attachment_size_limit: input.attachmentSizeLimit ?? DEFAULT_ATTACHMENT_SIZE_LIMIT,
  };
}

export function slashCommandPayload(
  scene: InteractionScene,
  input: SlashCommandInput,
  commandId: string,
  command: StoredCommand | undefined,
): Record<string, unknown> {
  const { options, attachments } = toOptions(input.options ?? {}, command);
  return {
    ...baseInteraction(scene),
    type: 2,
    data: {
      id: commandId,
      name: input.name,
      type: 1,
      options,
      ...(scene.guildId && input.context !== 'dm' ? { guild_id: command?.guild_id } : {}),
      ...(Object.keys(attachments).length > 0 ? { resolved: { attachments } } : {}),
    },
  };
}

export function buttonPayload(scene: InteractionScene, input: ButtonPressInput): Record<string, unknown> {
  const message = input.message;
  return {
    ...baseInteraction(scene),
    type: 3,
    message: {
      id: message.id,
      type: 0,
      channel_id: message.channelId ?? scene.channelId,
      author: toApiUser(scene.bot.user, true),
      content: message.content ?? '',
      embeds: [],
      components: message.components ?? [],
      attachments: (message.attachments ?? []).map(toApiAttachment),
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      flags: message.flags ?? 0,
      timestamp: scene.joinedAt,
      edited_timestamp: null,
    },
    data: { custom_id: input.customId, component_type: 2 },
  };
}
