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
