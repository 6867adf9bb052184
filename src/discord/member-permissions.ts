import { PermissionFlagsBits, type BaseInteraction } from 'discord.js';
import type { CommandData } from '../../commands/types.js';

/**
 * What a member may do, read from the interaction itself: `memberPermissions` is what Discord computed for them in
 * the interaction's guild and channel, so it cannot be borrowed from another server. Administrator implies every bit.
 * There is no moderator role of the bot's own: Manage Server is the moderators' mark, as /video-admin registers.
 */
export function canManageGuild(interaction: BaseInteraction): boolean {
  return interaction.inGuild() && (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false);
}

/** The permissions a command is registered with (`default_member_permissions`), or undefined when everyone may use it. */
export function registeredPermissions(data: CommandData): bigint | undefined {
  const bits = data.toJSON().default_member_permissions;
  return bits === undefined || bits === null ? undefined : BigInt(bits);
}

/**
 * Whether the member holds every permission the command is registered with. Discord only uses those bits to choose
 * whom to show the command to, and a server's Integrations settings can show it to anyone: the bot checks again.
 */
export function holdsRegistered(interaction: BaseInteraction, required: bigint | undefined): boolean {
  if (required === undefined) return true;
  return interaction.inGuild() && (interaction.memberPermissions?.has(required) ?? false);
}
