import { PermissionFlagsBits } from 'discord.js';
import type { FakeUser, InteractionHandle, InteractionRecord, SlashOptionValue } from '../fakes/discord/fake-discord.js';
import type { World } from './world.js';

/** A moderator: Manage Server, as `default_member_permissions` asks of /video-admin. */
export const moderator: FakeUser = { id: '260000000000000001', username: 'mod' };
export const moderatorPermissions = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages;

/**
 * Runs `/video-admin <subcommand>` as the moderator and waits for the answer they read: the ephemeral reply, or the
 * deferred one once edited. Returns the whole interaction (content, embeds, attachments).
 */
export async function runAdmin(
  world: { readonly discord: World['discord'] },
  subcommand: string,
  options: Record<string, SlashOptionValue> = {},
  extra: { user?: FakeUser; guildId?: string; channelId?: string } = {},
): Promise<InteractionRecord> {
  const handle = world.discord.sendSlashCommand({
    name: 'video-admin',
    subcommand,
    options,
    user: extra.user ?? moderator,
    permissions: moderatorPermissions,
    ...(extra.guildId ? { guildId: extra.guildId } : {}),
    ...(extra.channelId ? { channelId: extra.channelId } : {}),
  });
  return answerOf(world, handle, `the answer to /video-admin ${subcommand}`);
}

/** Waits until an ephemeral answer is there to read (an immediate reply, or a deferral once edited). */
export function answerOf(
  world: { readonly discord: World['discord'] },
  handle: InteractionHandle,
  description = 'the answer',
): Promise<InteractionRecord> {
  return world.discord.waitFor(
    (d) => {
      const record = d.interaction(handle.id);
      if (record.ackType === 4) return record;
      if (record.ackType === 5 && record.original && (record.original.content || record.original.embeds.length)) return record;
      return undefined;
    },
    { description, timeoutMs: 10_000 },
  );
}

/** What the member reads in an immediate ephemeral refusal (and that nothing was deferred). */
export async function refusalOf(world: { readonly discord: World['discord'] }, handle: InteractionHandle): Promise<string> {
  const record = await answerOf(world, handle, 'the refusal');
  if (record.ackType !== 4 || !record.ephemeral) throw new Error(`expected an ephemeral refusal, got callback type ${record.ackType}`);
  return record.original!.content;
}
