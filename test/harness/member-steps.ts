import type { APIEmbed } from 'discord-api-types/v10';
import type { FakeUser, InteractionHandle, InteractionRecord, RecordedMessage } from '../fakes/discord/fake-discord.js';
import type { World } from './world.js';

/** Steps of the members' own commands (/usage, /queue) and what they then read. */

/** Sends `/<name>` with no options as `user` and waits until its reply carries an embed. */
export async function embedReplyTo(
  world: World,
  name: 'usage' | 'queue',
  user: FakeUser,
): Promise<{ record: InteractionRecord; embed: APIEmbed; text: string }> {
  const handle = world.discord.sendSlashCommand({ name, user });
  const record = await world.discord.waitFor(
    (d) => {
      const r = d.interaction(handle.id);
      return r.original && r.original.embeds.length > 0 ? r : undefined;
    },
    { timeoutMs: 10_000, description: `the /${name} reply` },
  );
  const embed = record.original!.embeds[0] as APIEmbed;
  return { record, embed, text: embedText(embed) };
}

/** Everything an embed shows, as one text: title, description, each field's name and value. */
export function embedText(embed: APIEmbed): string {
  return [embed.title, embed.description, ...(embed.fields ?? []).flatMap((f) => [f.name, f.value])].filter(Boolean).join('\n');
}

/** Waits until some version of the interaction's reply reads `pattern` (a view may be replaced quickly). */
export function replyOnceShowing(world: World, handle: InteractionHandle, pattern: RegExp, timeoutMs = 10_000): Promise<RecordedMessage> {
  return world.discord.waitFor((d) => d.interaction(handle.id).originalHistory.find((m) => pattern.test(m.content)), {
    timeoutMs,
    description: `a reply matching ${pattern}`,
  });
}

/** The link Discord opens for a message in a guild channel. */
export function messageLink(guildId: string, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;
}
