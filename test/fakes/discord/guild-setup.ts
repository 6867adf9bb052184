import type { FakeEnv } from './env.js';
import type { FakeGateway } from './gateway.js';
import { toApiGuildChannel, toApiRole, type FakeGuild, type FakeGuildChannel, type FakeMember, type FakeRole } from './guild-model.js';
import type { FakeUser } from './payloads.js';
import { rememberUser } from './state.js';

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
    if (gateway.connected) gateway.dispatch(event, data);
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
