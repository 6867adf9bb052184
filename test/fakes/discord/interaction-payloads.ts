import { partialMember, type FakeGuild, type FakeMember } from './guild-model.js';
import { buildCommandOptions, type OptionScene, type SlashOptionValue } from './interaction-options.js';
import { toApiUser, type BotIdentity, type FakeUser } from './payloads.js';
import type { RecordedAttachment, StoredCommand } from './state.js';

const bit = (n: number): bigint => 1n << BigInt(n);
export { DEFAULT_MEMBER_PERMISSIONS } from './guild-model.js';
export { OptionType, type SlashOptionValue } from './interaction-options.js';
/** What a freshly invited bot typically has in a channel: view, send, embed, attach, history, app commands. */
export const DEFAULT_APP_PERMISSIONS = [10, 11, 14, 15, 16, 31, 38].reduce((acc, n) => acc | bit(n), 0n);
export const DEFAULT_ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

/** Who did it and where; everything defaults to the fake's first guild, first channel and a default member. */
export interface InteractionContextInput {
  user?: Partial<FakeUser>;
  guildId?: string;
  channelId?: string;
  /**
   * Member permissions in the channel, e.g. `PermissionFlagsBits.ManageGuild | ...`. Default: for a member added with
   * `addMember`, what their roles give (see `memberPermissions`); else DEFAULT_MEMBER_PERMISSIONS.
   */
  permissions?: bigint | string;
  /** The member's role ids; default their roles from `addMember`, else none. */
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
  /** `'settings'` (a subcommand) or `'quota role'` (group, then subcommand), as registered. */
  subcommand?: string;
  /** The options of the (sub)command, by name; see SlashOptionValue. */
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
  /** The channel's type (0 text, 1 DM, …). */
  channelType: number;
  input: InteractionContextInput;
  joinedAt: string;
  guild: FakeGuild | undefined;
  /** The invoking member's entry, when added with `addMember`. */
  member: FakeMember | undefined;
  /** The member's role ids and permissions as the interaction carries them. */
  roles: string[];
  permissions: string;
  /** Builds options and resolved data against this scene's guild. */
  optionScene: OptionScene;
}

export function baseInteraction(scene: InteractionScene): Record<string, unknown> {
  const { input } = scene;
  const inGuild = input.context !== 'dm' && scene.guildId !== undefined;
  const apiUser = toApiUser(scene.user);
  const who = inGuild
    ? {
        member: {
          ...partialMember(scene.member ?? { user: scene.user, roles: [] }, scene.joinedAt, scene.roles),
          user: apiUser,
          permissions: scene.permissions,
          deaf: false,
          mute: false,
        },
      }
    : { user: apiUser };
  const channel = inGuild
    ? { id: scene.channelId, type: scene.channelType, guild_id: scene.guildId, name: scene.channelName ?? 'general' }
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
  focused?: string,
): Record<string, unknown> {
  const { options, resolved } = buildCommandOptions(input, command, scene.optionScene);
  if (focused !== undefined) markFocused(options, focused);
  return {
    ...baseInteraction(scene),
    type: focused === undefined ? 2 : 4,
    data: {
      id: commandId,
      name: input.name,
      type: 1,
      options,
      ...(scene.guildId && input.context !== 'dm' && command?.guild_id ? { guild_id: command.guild_id } : {}),
      ...(resolved ? { resolved } : {}),
    },
  };
}

/** Autocomplete marks the option being typed `focused: true`; its value is the text typed so far. */
function markFocused(options: unknown[], name: string): void {
  for (const option of options as { name: string; type: number; value?: unknown; focused?: boolean; options?: unknown[] }[]) {
    if (option.options) markFocused(option.options, name);
    else if (option.name === name) {
      option.focused = true;
      option.value = String(option.value ?? '');
    }
  }
}

/** A button press: `message` is the whole message the button is on, as discord.js needs for `.message`. */
export function buttonPayload(scene: InteractionScene, customId: string, message: Record<string, unknown>): Record<string, unknown> {
  return {
    ...baseInteraction(scene),
    type: 3,
    message,
    data: { custom_id: customId, component_type: 2 },
  };
}
