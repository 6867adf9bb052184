/**
 * The Cancel button's custom_id: `cancel:<jobId>`. Only the job id travels; everything else stays in the store.
 * Discord allows 1-100 characters.
 */
const cancelPrefix = 'cancel:';

export function cancelCustomId(jobId: string): string {
  const id = `${cancelPrefix}${jobId}`;
  if (jobId.length === 0 || id.length > 100) throw new RangeError('job id does not fit a custom_id');
  return id;
}

/** The job id of a Cancel button, or undefined when the custom_id is not one of ours. */
export function parseCancelCustomId(customId: string): string | undefined {
  if (!customId.startsWith(cancelPrefix)) return undefined;
  const jobId = customId.slice(cancelPrefix.length);
  return jobId.length > 0 ? jobId : undefined;
}

/**
 * Regenerate and Remix on a delivered video: `regen:<jobId>`, `remix:<jobId>` (Remix's modal reuses its button's
 * custom_id). The router strips the prefix; the rest is the original job's id.
 */
export const regeneratePrefix = 'regen';
export const remixPrefix = 'remix';

export function jobButtonCustomId(prefix: typeof regeneratePrefix | typeof remixPrefix, jobId: string): string {
  const id = `${prefix}:${jobId}`;
  if (jobId.length === 0 || id.length > 100) throw new RangeError('job id does not fit a custom_id');
  return id;
}

/** The job id after the router took the prefix off, or undefined when it is not one. */
export function parseJobIdRest(rest: string): string | undefined {
  return /^[\w-]{1,90}$/.test(rest) ? rest : undefined;
}

/**
 * The Animate image modal: `animate:<channelId>:<messageId>`, the message whose image the submit animates (the
 * image's signed URL expires and would not fit in 100 characters; the submit looks the message up again).
 */
export const animatePrefix = 'animate';

const snowflake = /^\d{1,20}$/;

export function animateCustomId(channelId: string, messageId: string): string {
  if (!snowflake.test(channelId) || !snowflake.test(messageId)) throw new RangeError('not a channel and message id');
  return `${animatePrefix}:${channelId}:${messageId}`;
}

/** The channel and message of an Animate image modal, from the custom_id without its prefix. */
export function parseAnimateRest(rest: string): { channelId: string; messageId: string } | undefined {
  const [channelId, messageId, ...more] = rest.split(':');
  if (more.length > 0 || !channelId || !messageId || !snowflake.test(channelId) || !snowflake.test(messageId)) {
    return undefined;
  }
  return { channelId, messageId };
}
