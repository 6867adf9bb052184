import type { FakeUser } from './payloads.js';

/** A role in a fake guild. The guild's @everyone role (id = guild id) is implicit. */
export interface FakeRole {
  id: string;
  name: string;
  /** Bits as in `PermissionFlagsBits`; default none beyond @everyone's. */
  permissions?: bigint | string;
  color?: number;
  position?: number;
  hoist?: boolean;
  mentionable?: boolean;
  managed?: boolean;
}

/** A member of a fake guild: a user and the ids of their roles (mutable: tests may change `roles`). */
export interface FakeMember {
  user: FakeUser;
  roles: string[];
  nick?: string | null;
  /** ISO time they joined; default a day before the fake started. */
  joinedAt?: string;
  /** Their permissions in every channel, overriding what their roles give. */
  permissions?: bigint | string;
}

/** A guild channel. `type` 0 text (default), 2 voice, 4 category, 5 announcement, 15 forum. */
export interface FakeGuildChannel {
  id: string;
  name: string;
  type?: number;
  parentId?: string | null;
  nsfw?: boolean;
}

/** A guild the bot is in. Ids must be 17-19 digit snowflakes (see `createSnowflakes`). */
export interface FakeGuild {
  id: string;
  name: string;
  ownerId?: string;
  channels: FakeGuildChannel[];
  roles?: FakeRole[];
  members?: FakeMember[];
}

const bit = (n: number): bigint => 1n << BigInt(n);
/** @everyone-like rights: view, send, embed, attach, history, reactions, external emoji, voice, app commands. */
export const DEFAULT_MEMBER_PERMISSIONS = [10, 11, 14, 15, 16, 6, 18, 20, 21, 31].reduce((acc, n) => acc | bit(n), 0n);
export const ADMINISTRATOR = bit(3);
/** Every permission bit Discord defines today (0–50): what an administrator or the owner has. */
export const ALL_PERMISSIONS = bit(51) - 1n;
/** What the @everyone role carries in GUILD_CREATE (Discord's default for a new server). */
const EVERYONE_PERMISSIONS = '2248473465835073';

export function everyoneRole(guild: FakeGuild): Record<string, unknown> {
  return toApiRole({ id: guild.id, name: '@everyone', permissions: EVERYONE_PERMISSIONS, position: 0 });
}

export function toApiRole(role: FakeRole, position = role.position ?? 1): Record<string, unknown> {
  return {
    id: role.id,
    name: role.name,
    color: role.color ?? 0,
    colors: { primary_color: role.color ?? 0, secondary_color: null, tertiary_color: null },
    hoist: role.hoist ?? false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: String(role.permissions ?? 0n),
    managed: role.managed ?? false,
    mentionable: role.mentionable ?? false,
    flags: 0,
  };
}

/** Every role of the guild as GUILD_CREATE and resolved data show it: @everyone first. */
export function apiRoles(guild: FakeGuild): Record<string, unknown>[] {
  return [everyoneRole(guild), ...(guild.roles ?? []).map((r, i) => toApiRole(r, r.position ?? i + 1))];
}

export function findRole(guild: FakeGuild, id: string): Record<string, unknown> | undefined {
  return apiRoles(guild).find((r) => r.id === id);
}

export function findMember(guild: FakeGuild | undefined, userId: string): FakeMember | undefined {
  return guild?.members?.find((m) => m.user.id === userId);
}

/**
 * A member's permissions in a channel (the fake has no channel overwrites): an explicit value wins; the owner and
 * administrators have everything; otherwise the default member rights plus what their roles give.
 */
export function memberPermissions(guild: FakeGuild, member: FakeMember, roleIds = member.roles): bigint {
  if (member.permissions !== undefined) return BigInt(member.permissions);
  if (guild.ownerId === member.user.id) return ALL_PERMISSIONS;
  const fromRoles = roleIds.reduce((acc, id) => {
    const role = guild.roles?.find((r) => r.id === id);
    return acc | BigInt(role?.permissions ?? 0n);
  }, DEFAULT_MEMBER_PERMISSIONS);
  return (fromRoles & ADMINISTRATOR) !== 0n ? ALL_PERMISSIONS : fromRoles;
}

/** The member fields every member object carries, minus `user`, `deaf` and `mute` (resolved members lack them). */
export function partialMember(member: FakeMember, joinedAt: string, roles = member.roles): Record<string, unknown> {
  return {
    roles,
    nick: member.nick ?? null,
    avatar: null,
    banner: null,
    joined_at: member.joinedAt ?? joinedAt,
    premium_since: null,
    pending: false,
    flags: 0,
    communication_disabled_until: null,
  };
}

/** A guild channel as GUILD_CREATE and CHANNEL_CREATE carry it. */
export function toApiGuildChannel(guild: FakeGuild, channel: FakeGuildChannel, position: number): Record<string, unknown> {
  const type = channel.type ?? 0;
  return {
    id: channel.id,
    type,
    name: channel.name,
    guild_id: guild.id,
    position,
    permission_overwrites: [],
    parent_id: channel.parentId ?? null,
    nsfw: channel.nsfw ?? false,
    flags: 0,
    ...(type === 0 || type === 5 ? { topic: null, rate_limit_per_user: 0, last_message_id: null } : {}),
    ...(type === 2 ? { bitrate: 64000, user_limit: 0, rtc_region: null } : {}),
  };
}
