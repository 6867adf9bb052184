import { ADMINISTRATOR } from './guild-model.js';
import type { StoredCommand } from './state.js';

/**
 * One entry of a command's permissions in a guild, as a server's admins set them in Server Settings → Integrations
 * (Discord stores them per guild and command id: `PUT /applications/{app}/guilds/{guild}/commands/{id}/permissions`).
 * `type` 1 a role (the guild's id is @everyone), 2 a user, 3 a channel.
 */
export interface CommandPermission {
  id: string;
  type: 1 | 2 | 3;
  permission: boolean;
}

export interface Invoker {
  guildId: string;
  channelId: string;
  userId: string;
  roles: readonly string[];
  /** The member's permissions in the channel, as the interaction carries them. */
  permissions: bigint;
}

/**
 * Whether Discord shows (and so sends) the command to this member: administrators always; then a channel entry that
 * denies hides it; a user entry decides; else any allowing role entry shows it, a denying one hides it; else the
 * @everyone entry; else `default_member_permissions` (null = everyone, otherwise every bit it names).
 */
export function mayUseCommand(command: StoredCommand, who: Invoker, entries: readonly CommandPermission[]): boolean {
  if ((who.permissions & ADMINISTRATOR) !== 0n) return true;
  if (entries.some((e) => e.type === 3 && e.id === who.channelId && !e.permission)) return false;
  const user = entries.find((e) => e.type === 2 && e.id === who.userId);
  if (user) return user.permission;
  const roles = entries.filter((e) => e.type === 1 && e.id !== who.guildId && who.roles.includes(e.id));
  if (roles.some((e) => e.permission)) return true;
  if (roles.length > 0) return false;
  const everyone = entries.find((e) => e.type === 1 && e.id === who.guildId);
  if (everyone) return everyone.permission;
  if (command.default_member_permissions === null) return true;
  const required = BigInt(command.default_member_permissions);
  // "0": nobody but administrators, until an entry above lets someone in.
  return required !== 0n && (who.permissions & required) === required;
}
