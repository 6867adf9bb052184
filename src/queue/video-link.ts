import type { Job } from './job.js';

/**
 * The link to a delivered video's message (`https://discord.com/channels/<guild>/<channel>/<message>`), for the
 * member's /usage and the mod-log. Undefined until the video is posted, and for videos posted before the message
 * was recorded.
 */
export function videoLinkOf(job: Pick<Job, 'guildId' | 'postedMessage'>): string | undefined {
  const message = job.postedMessage;
  if (!message) return undefined;
  return `https://discord.com/channels/${job.guildId}/${message.channelId}/${message.messageId}`;
}
