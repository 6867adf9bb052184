import type { APIAttachment } from 'discord-api-types/v10';
import type { FakeEnv } from './env.js';
import type { FakeGateway } from './gateway.js';
import {
  findMember,
  partialMember,
  toApiGuildChannel,
  toApiRole,
  type FakeGuild, type FakeGuildChannel, type FakeMember, type FakeRole } from './guild-model.js';
import { toApiMessage, type FakeUser } from './payloads.js';
import { rememberUser, type MessageWithHistory, type RecordedAttachment, type RecordedMessage } from './state.js';

const Intent = { GuildMessages: 1 << 9, DirectMessages: 1 << 12, MessageContent: 1 << 15 } as const;

export interface AddRoleInput {
  /** Default: the fake's first guild. */
  guildId?: string;
  name: string;
  permissions?: bigint | string;
  color?: number;
  mentionable?: boolean;
}

export interface AddMemberInput {
  guildId?: string;
  /** Default: a new user with a made-up name. */
  user?: Partial<FakeUser>;
  /** Role ids, or roles from `addRole`. */
  roles?: (string | FakeRole)[];
  nick?: string;
  /** Their permissions everywhere, instead of what their roles give. */
  permissions?: bigint | string;
}

export interface PostMessageInput {
  /** Default: the fake's first channel. */
  channelId?: string;
  /** The author; default a new user. A member added with `addMember` keeps their name. */
  user?: Partial<FakeUser>;
  content?: string;
  /** Uploads from `addAttachment`. */
  attachments?: APIAttachment[];
  /** Embeds as Discord shows them, e.g. `{ image: { url, width, height } }` or a link preview's `thumbnail`. */
  embeds?: unknown[];
}

export interface AddChannelInput {
  guildId?: string;
  name: string;
  /** 0 text (default), 2 voice, 4 category, 5 announcement, 15 forum. */
  type?: number;
  parentId?: string;
  nsfw?: boolean;
}

/** Adds roles, members and channels to the fake's guilds, telling the bot as Discord would (with its Guilds intent). */
export function createGuildSetup(env: FakeEnv, gateway: FakeGateway) {
  const guildOf = (guildId: string | undefined): FakeGuild => {
    const guild = guildId === undefined ? env.guilds[0] : env.guilds.find((g) => g.id === guildId);
    if (!guild) throw new Error(`fake discord: no guild ${guildId}`);
    return guild;
  };
  const tell = (event: string, data: unknown): void => {
    const guildId = (data as { guild_id?: string }).guild_id;
    if (gateway.canReach(guildId)) gateway.dispatch(event, data);
  };

  return {
    addRole(input: AddRoleInput): FakeRole {
      const guild = guildOf(input.guildId);
      const roles = (guild.roles ??= []);
      const role: FakeRole = {
        id: env.newId(),
        name: input.name,
        position: roles.length + 1,
        ...(input.permissions === undefined ? {} : { permissions: input.permissions }),
        ...(input.color === undefined ? {} : { color: input.color }),
        ...(input.mentionable === undefined ? {} : { mentionable: input.mentionable }),
      };
      roles.push(role);
      tell('GUILD_ROLE_CREATE', { guild_id: guild.id, role: toApiRole(role) });
      return role;
    },

    /**
     * No GUILD_MEMBER_ADD is sent: Discord sends it only with the privileged Guild Members intent, which the bot
     * does not ask for. The member shows in interactions (`member`) and resolved data.
     */
    addMember(input: AddMemberInput): FakeMember {
      const guild = guildOf(input.guildId);
      const id = input.user?.id ?? env.newId();
      const user: FakeUser = { id, username: `member-${id.slice(-4)}`, ...input.user };
      rememberUser(env.state, user);
      const members = (guild.members ??= []);
      const member: FakeMember = {
        user,
        roles: (input.roles ?? []).map((r) => (typeof r === 'string' ? r : r.id)),
        ...(input.nick === undefined ? {} : { nick: input.nick }),
        ...(input.permissions === undefined ? {} : { permissions: input.permissions }),
      };
      const existing = members.findIndex((m) => m.user.id === id);
      if (existing >= 0) members[existing] = member;
      else members.push(member);
      return member;
    },

    /**
     * A member's message in a channel, shown in `channelMessages` and the channel history. MESSAGE_CREATE goes only
     * to a client with the Guild Messages (or Direct Messages) intent, its content only with Message Content.
     */
    postMessage(input: PostMessageInput): MessageWithHistory {
      const channelId = input.channelId ?? env.guilds[0]?.channels[0]?.id ?? '';
      const channel = env.state.channels.get(channelId);
      if (!channel) throw new Error(`fake discord: no channel ${channelId}`);
      const id = input.user?.id ?? env.newId();
      const guild = env.guilds.find((g) => g.id === channel.guildId);
      const member = findMember(guild, id);
      const author: FakeUser = { id, username: `member-${id.slice(-4)}`, ...member?.user, ...input.user };
      rememberUser(env.state, author);
      const attachments = (input.attachments ?? []).map((a): RecordedAttachment => {
        const file = env.cdn.file(a.id);
        if (!file) throw new Error(`fake discord: attachment ${a.id} was not made by addAttachment`);
        const { width, height } = file;
        const size = width === undefined || height === undefined ? {} : { width, height };
        return { id: a.id, filename: a.filename, contentType: file.contentType, size: file.bytes.length, bytes: file.bytes, url: a.url, ...size };
      });
      const version: RecordedMessage = {
        id: env.newId(),
        channelId,
        content: input.content ?? '',
        components: [],
        embeds: input.embeds ?? [],
        attachments,
        flags: 0,
        allowedMentions: undefined,
        at: env.clock.now(),
        author,
      };
      const message: MessageWithHistory = { ...version, history: [version] };
      const list = env.state.channelMessages.get(channelId) ?? [];
      list.push(message);
      env.state.channelMessages.set(channelId, list);
      const wanted = channel.guildId ? Intent.GuildMessages : Intent.DirectMessages;
      if (gateway.canReach(channel.guildId ?? undefined) && (gateway.intents & wanted) !== 0) {
        const api = toApiMessage(version, version, env.bot, { guildId: channel.guildId });
        if ((gateway.intents & Intent.MessageContent) === 0) Object.assign(api, { content: '', embeds: [], attachments: [], components: [] });
        const extra = guild && member ? { member: partialMember(member, new Date(env.clock.now()).toISOString()) } : {};
        gateway.dispatch('MESSAGE_CREATE', { ...api, ...extra });
      }
      return message;
    },

    addChannel(input: AddChannelInput): FakeGuildChannel {
      const guild = guildOf(input.guildId);
      const channel: FakeGuildChannel = {
        id: env.newId(),
        name: input.name,
        type: input.type ?? 0,
        ...(input.parentId === undefined ? {} : { parentId: input.parentId }),
        ...(input.nsfw === undefined ? {} : { nsfw: input.nsfw }),
      };
      guild.channels.push(channel);
      env.state.channels.set(channel.id, { id: channel.id, type: channel.type ?? 0, guildId: guild.id, name: channel.name });
      tell('CHANNEL_CREATE', toApiGuildChannel(guild, channel, guild.channels.length - 1));
      return channel;
    },
  };
}
