import type { APIAttachment } from 'discord-api-types/v10';
import { findMember, findRole, memberPermissions, partialMember, type FakeGuild, type FakeMember } from './guild-model.js';
import { toApiUser, type FakeUser } from './payloads.js';
import type { FakeChannel, StoredCommand, StoredOption } from './state.js';

export const OptionType = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

/**
 * An option value. Plain values are typed from the registered command (or guessed). Users, channels, roles and
 * mentionables take an id, or anything with an `id` (a FakeUser, a role from `addRole`, a channel) or a FakeMember.
 * `{type, value}` forces a type.
 */
export type SlashOptionValue =
  | string
  | number
  | boolean
  | APIAttachment
  | { id: string }
  | FakeMember
  | { type: number; value: string | number | boolean };

/** What option building needs to know about the guild, channel and people of one interaction. */
export interface OptionScene {
  guild: FakeGuild | undefined;
  channelId: string;
  joinedAt: string;
  /** The invoking member's permissions (resolved channels carry them as `permissions`). */
  invokerPermissions: string;
  channel(id: string): FakeChannel | undefined;
  /** A known user by id (members, earlier interactions, posted messages); unknown ids get a made-up user. */
  user(id: string): FakeUser;
}

const MENTION_TYPES: number[] = [OptionType.User, OptionType.Channel, OptionType.Role, OptionType.Mentionable];

function isAttachment(value: SlashOptionValue): value is APIAttachment {
  return typeof value === 'object' && 'url' in value && 'id' in value && 'filename' in value;
}

function guessType(value: string | number | boolean): number {
  if (typeof value === 'string') return OptionType.String;
  if (typeof value === 'boolean') return OptionType.Boolean;
  return Number.isInteger(value) ? OptionType.Integer : OptionType.Number;
}

function idOf(value: SlashOptionValue): string | undefined {
  if (typeof value !== 'object') return typeof value === 'string' ? value : undefined;
  if ('user' in value) return value.user.id;
  if ('id' in value && typeof value.id === 'string') return value.id;
  return undefined;
}

/** Fills `data.resolved` the way Discord does: users with partial members beside them, roles, partial channels. */
class Resolver {
  readonly users: Record<string, unknown> = {};
  readonly members: Record<string, unknown> = {};
  readonly roles: Record<string, unknown> = {};
  readonly channels: Record<string, unknown> = {};
  readonly attachments: Record<string, APIAttachment> = {};

  constructor(private readonly scene: OptionScene) {}

  user(id: string): void {
    this.users[id] = toApiUser(this.scene.user(id));
    const guild = this.scene.guild;
    const member = findMember(guild, id);
    if (guild && member) {
      const permissions = String(memberPermissions(guild, member));
      this.members[id] = { ...partialMember(member, this.scene.joinedAt), permissions };
    }
  }

  role(id: string): void {
    const role = this.scene.guild ? findRole(this.scene.guild, id) : undefined;
    if (!role) throw new Error(`fake discord: no role ${id} in guild ${this.scene.guild?.id ?? '(none)'}`);
    this.roles[id] = role;
  }

  channel(id: string): void {
    const known = this.scene.channel(id);
    if (!known) throw new Error(`fake discord: no channel ${id}`);
    const detail = this.scene.guild?.channels.find((c) => c.id === id);
    this.channels[id] = {
      id,
      name: known.name ?? null,
      type: known.type,
      permissions: this.scene.invokerPermissions,
      parent_id: detail?.parentId ?? null,
      nsfw: detail?.nsfw ?? false,
      flags: 0,
    };
  }

  mentionable(id: string): void {
    if (this.scene.guild && findRole(this.scene.guild, id)) this.role(id);
    else this.user(id);
  }

  toJson(): Record<string, unknown> | undefined {
    const parts = Object.entries({
      users: this.users,
      members: this.members,
      roles: this.roles,
      channels: this.channels,
      attachments: this.attachments,
    }).filter(([, v]) => Object.keys(v).length > 0);
    return parts.length > 0 ? Object.fromEntries(parts) : undefined;
  }
}

function toWireOption(name: string, value: SlashOptionValue, def: StoredOption | undefined, resolver: Resolver): unknown {
  if (isAttachment(value)) {
    resolver.attachments[value.id] = value;
    return { name, type: OptionType.Attachment, value: value.id };
  }
  if (typeof value === 'object' && 'type' in value && 'value' in value) return { name, type: value.type, value: value.value };
  const id = idOf(value);
  const type = def?.type ?? (typeof value === 'object' ? OptionType.User : guessType(value));
  if (MENTION_TYPES.includes(type)) {
    if (id === undefined) throw new Error(`fake discord: option ${name} needs an id, got ${JSON.stringify(value)}`);
    if (type === OptionType.User) resolver.user(id);
    else if (type === OptionType.Role) resolver.role(id);
    else if (type === OptionType.Channel) resolver.channel(id);
    else resolver.mentionable(id);
    return { name, type, value: id };
  }
  if (typeof value === 'object') throw new Error(`fake discord: option ${name} (type ${type}) cannot take an object`);
  return { name, type, value };
}

/** `quota role` → group `quota`, subcommand `role`; `settings` → subcommand `settings`. */
function splitSubcommand(path: string | undefined): string[] {
  return path === undefined ? [] : path.trim().split(/\s+/);
}

/**
 * The nested `data.options` of an invocation (group → subcommand → options, as Discord sends them) with types taken
 * from the registered definition, and the `resolved` data its user, channel, role, mentionable and attachment
 * options need.
 */
export function buildCommandOptions(
  input: { name: string; subcommand?: string; options?: Record<string, SlashOptionValue> },
  command: StoredCommand | undefined,
  scene: OptionScene,
): { options: unknown[]; resolved: Record<string, unknown> | undefined } {
  const resolver = new Resolver(scene);
  const path = splitSubcommand(input.subcommand);
  let defs: StoredOption[] | undefined = command?.options;
  const levels: { name: string; type: number }[] = [];
  for (const [index, name] of path.entries()) {
    const def = defs?.find((o) => o.name === name && (o.type === 1 || o.type === 2));
    if (command && !def) throw new Error(`fake discord: /${input.name} has no subcommand (group) "${name}"`);
    const type = def?.type ?? (index === path.length - 1 ? OptionType.Subcommand : OptionType.SubcommandGroup);
    levels.push({ name, type });
    defs = def?.options;
  }
  const last = levels.at(-1);
  if (command && last?.type === OptionType.SubcommandGroup) {
    throw new Error(`fake discord: "${input.subcommand}" of /${input.name} is a group; name one of its subcommands`);
  }
  if (command && !last && command.options?.some((o) => o.type === 1 || o.type === 2)) {
    throw new Error(`fake discord: /${input.name} has subcommands; pass \`subcommand\``);
  }
  let options: unknown[] = Object.entries(input.options ?? {}).map(([name, value]) =>
    toWireOption(name, value, defs?.find((o) => o.name === name), resolver),
  );
  for (const level of [...levels].reverse()) options = [{ name: level.name, type: level.type, options }];
  return { options, resolved: resolver.toJson() };
}
