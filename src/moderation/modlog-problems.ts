import { DiscordAPIError, HTTPError } from 'discord.js';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { describeRestError } from '../responder/discord-api.js';

/**
 * What the mod-log knows is wrong with a guild's mod-log channel, in plain words for `/video-admin settings`, and
 * the warnings about it: one per problem (not one per job), and a line when the channel works again. A channel found
 * unusable is left alone for a while, since every refused request counts towards Discord's invalid-request limit
 * (10,000 per 10 minutes gets the bot's IP banned for an hour).
 */
export type ProblemKind = 'unusable' | 'attach';

interface Problem {
  channelId: string;
  kind: ProblemKind;
  text: string;
}

const codeOf = (err: unknown): number | undefined => (err instanceof DiscordAPIError && typeof err.code === 'number' ? err.code : undefined);

/** Missing permission, missing access, unknown channel: nothing changes until a moderator acts. */
export function isUnusableChannelError(err: unknown): boolean {
  const code = codeOf(err);
  return code === 50013 || code === 50001 || code === 10003;
}

/** The file could not go with the message: no Attach Files (50013) or over the upload limit (40005, 413). */
export function isFileRefusedError(err: unknown): boolean {
  const code = codeOf(err);
  return code === 50013 || code === 40005 || (err instanceof HTTPError && err.status === 413);
}

export function isUnknownMessageError(err: unknown): boolean {
  return codeOf(err) === 10008;
}

function unusableText(err: unknown, channelId: string): string {
  const pick = 'pick another with `/video-admin modlog`';
  switch (codeOf(err)) {
    case 10003:
      return `The mod-log channel no longer exists: ${pick}.`;
    case 50001:
      return `I can't see the mod-log channel <#${channelId}>: give me View Channel there, or ${pick}.`;
    default:
      return `I can't post in the mod-log channel <#${channelId}>: I need View Channel, Send Messages and Embed Links there, or ${pick}.`;
  }
}

export function createModlogProblems(o: { log: Logger; clock: Clock; pauseUnusableMs: number }) {
  const problems = new Map<string, Problem>();
  const warned = new Set<string>();
  const pausedUntil = new Map<string, number>();

  return {
    /** The last problem of the guild's current mod-log channel; a problem of a channel no longer used is not shown. */
    problemOf(guildId: string, currentChannelId: string | undefined): string | undefined {
      const problem = problems.get(guildId);
      return problem && problem.channelId === currentChannelId ? problem.text : undefined;
    },

    isPaused(channelId: string): boolean {
      const until = pausedUntil.get(channelId);
      if (until === undefined) return false;
      if (o.clock.now() < until) return true;
      pausedUntil.delete(channelId);
      return false;
    },

    /** A moderator changed something: the channel is tried again at once. */
    unpause(channelId: string): void {
      pausedUntil.delete(channelId);
    },

    /** The channel refused the bot (see isUnusableChannelError). */
    unusable(guildId: string, channelId: string, err: unknown, fields: object): void {
      problems.set(guildId, { channelId, kind: 'unusable', text: unusableText(err, channelId) });
      pausedUntil.set(channelId, o.clock.now() + o.pauseUnusableMs);
      this.warnOnce(`${guildId}:${channelId}:${codeOf(err) ?? 'unusable'}`, { guildId, channelId, ...fields, err: describeRestError(err) }, 'mod-log channel unusable; jobs go on without it');
    },

    /** The entry went up without its start image because the channel takes no files from the bot. */
    noFiles(guildId: string, channelId: string, err: unknown, fields: object): void {
      problems.set(guildId, {
        channelId,
        kind: 'attach',
        text: `I can't attach files in the mod-log channel <#${channelId}>, so entries show no start image: give me Attach Files there.`,
      });
      this.warnOnce(`${guildId}:${channelId}:files`, { guildId, channelId, ...fields, err: describeRestError(err) }, 'mod-log entry posted without its start image');
    },

    /** Discord did not take a post or an edit, even after a retry (5xx, 429, no answer): logged, not a settings problem. */
    failed(guildId: string, channelId: string, err: unknown, fields: object, what: string): void {
      this.warnOnce(`${guildId}:${channelId}:transient`, { guildId, channelId, ...fields, err: describeRestError(err) }, `${what} failed; the job goes on`);
    },

    /** A request went through: `withFiles` tells whether a file went with it (clearing a missing Attach Files). */
    succeeded(guildId: string, channelId: string, withFiles: boolean): void {
      const problem = problems.get(guildId);
      for (const key of warned) if (key.startsWith(`${guildId}:${channelId}:`) && (withFiles || !key.endsWith(':files'))) warned.delete(key);
      if (!problem || problem.channelId !== channelId || (problem.kind === 'attach' && !withFiles)) return;
      problems.delete(guildId);
      o.log.info({ guildId, channelId }, 'mod-log channel usable again');
    },

    warnOnce(key: string, fields: object, message: string): void {
      if (warned.has(key)) {
        o.log.debug(fields, message);
        return;
      }
      warned.add(key);
      o.log.warn(fields, message);
    },
  };
}

export type ModlogProblems = ReturnType<typeof createModlogProblems>;
