import type { Logger } from 'pino';
import type { Job, ReplyTarget } from '../queue/job.js';
import type { DeliveryKind, PostedMessage } from '../queue/ports.js';
import { jobButtonCustomId, regeneratePrefix } from '../discord/custom-id.js';
import { describeRestError, snowflakeAt, snowflakeTime, type DiscordApi, type SeenMessage } from './discord-api.js';
import { jobRef, renderReadyPingPrefix } from './progress-view.js';

/** A video up in Discord: how it went out, and the message that carries it when Discord told us. */
export interface Posted {
  kind: DeliveryKind;
  message?: PostedMessage;
}

/** The attachment's name in Discord (the same for every job: what identifies the job is its button, below). */
export const videoFilename = 'video.mp4';

/**
 * Whether a message is this job's delivered video: it carries the job's own Regenerate button (`regen:<jobId>`), which
 * every rung's message has and Discord stores and returns with the message. The text is no identity: two jobs with
 * the same request read the same.
 */
export function isDeliveryOf(job: Job, message: Pick<SeenMessage, 'components'>): boolean {
  const id = jobButtonCustomId(regeneratePrefix, job.id);
  return (message.components ?? []).some((row) => (row.components ?? []).some((c) => c.custom_id === id));
}

/** Slack for the difference between our clock and Discord's when listing "messages since". */
const clockSkewMs = 60_000;
const maxPages = 10;

/**
 * Reading back what Discord shows, to decide whether a step whose outcome we could not see (a timeout, a 5xx, a
 * crash) had in fact happened. `undefined` means "could not tell".
 */
export function createDeliveryCheck(api: DiscordApi, log: Logger) {
  /** What the interaction's message shows: the delivery it carries (kind and message), or undefined when none. */
  async function onOriginal(job: Job, reply: ReplyTarget): Promise<Posted | undefined> {
    try {
      const original = await api.getOriginal(reply);
      // A button press's reply starts as the message pressed (another job's video) until the press is answered.
      if (!isDeliveryOf(job, original)) return undefined;
      const message = { channelId: reply.channelId, messageId: original.id };
      if (original.attachments.some((a) => a.filename === videoFilename)) {
        return { kind: original.content.includes('Re-encoded') ? 'reencoded' : 'attachment', message };
      }
      return { kind: 'link', message };
    } catch (err) {
      log.warn({ jobId: job.id, err: describeRestError(err) }, 'could not read the reply back');
      return undefined;
    }
  }

  /**
   * The channel's messages from `sinceMs` on, page by page, until `until` says stop or `untilMs` is passed.
   * Undefined when the history cannot be read (no access, or no Read Message History: Discord then lists nothing,
   * and a listing that starts before the member's own reply is never empty when it can be read).
   */
  async function scan(
    job: Job,
    channelId: string,
    sinceMs: number,
    untilMs: number,
    found: (m: SeenMessage) => boolean,
  ): Promise<SeenMessage | false | undefined> {
    let after = snowflakeAt(sinceMs - clockSkewMs);
    for (let page = 0; page < maxPages; page++) {
      let messages: SeenMessage[];
      try {
        messages = await api.listChannelMessages(channelId, after);
      } catch (err) {
        log.warn({ jobId: job.id, err: describeRestError(err) }, 'could not read the channel back');
        return undefined;
      }
      if (messages.length === 0) return page === 0 ? undefined : false;
      const match = messages.find(found);
      if (match) return match;
      const newest = messages.reduce((a, m) => (BigInt(m.id) > BigInt(a) ? m.id : a), after);
      if (messages.length < 100 || snowflakeTime(newest) > untilMs + clockSkewMs) return false;
      after = newest;
    }
    return undefined;
  }

  /** This job's video in the channel, as a message of the bot's: false when it is not there, undefined when unknown. */
  async function inChannel(job: Job, reply: ReplyTarget, sinceMs: number, untilMs: number) {
    return scan(job, reply.channelId, Math.min(reply.interactionAt, sinceMs), untilMs, (m) =>
      m.author?.id === reply.applicationId && isDeliveryOf(job, m),
    );
  }

  /**
   * Whether the member was already pinged about this job: a follow-up of its interaction, or the channel message
   * sent when the token had died, reading "<@member> your video is ready". The listing starts before the member's
   * reply, so it is never empty when the history can be read.
   */
  async function pinged(job: Job, reply: ReplyTarget, postedAt: number): Promise<boolean | undefined> {
    const prefix = renderReadyPingPrefix(job);
    const ref = jobRef(job);
    const found = await scan(job, reply.channelId, reply.interactionAt, postedAt, (m) => {
      if (!m.content.startsWith(prefix)) return false;
      // A follow-up belongs to its interaction; a channel ping names its job (the member may have several).
      if (m.interaction_metadata) return m.interaction_metadata.id === reply.interactionId;
      return m.author?.id === reply.applicationId && m.content.endsWith(ref) && snowflakeTime(m.id) >= postedAt - clockSkewMs;
    });
    return found && true;
  }

  return { onOriginal, inChannel, pinged };
}

export type DeliveryCheck = ReturnType<typeof createDeliveryCheck>;
