import type { JobInput } from '../src/queue/job-input.js';
import type { RefusalCode } from '../src/refusals.js';
import type { CommandContext } from './types.js';

/**
 * How long Regenerate and Remix wait for the original job's record before telling the member the store is not
 * answering: the rest of Discord's 3 seconds is for the first write of the new job and the network.
 */
export const originalReadMs = 1000;

/** Ends the wait timer once the read answered (one reason for all). */
const readOver = new Error('the read answered');

/** The original job's input, or the refusal to show: forgotten, expired, or the store too slow to say. */
export async function originalInput(
  jobId: string,
  ctx: CommandContext,
): Promise<{ ok: true; input: JobInput } | { ok: false; refusal: RefusalCode }> {
  const waited = new AbortController();
  try {
    const read = await Promise.race([
      ctx.queue.inputOf(jobId),
      ctx.clock.sleep(originalReadMs, waited.signal).then(() => 'slow' as const, () => 'slow' as const),
    ]);
    if (read === 'slow') return { ok: false, refusal: 'store-unavailable' };
    return read;
  } catch (err) {
    ctx.log.warn({ err, jobId }, 'original job read failed');
    return { ok: false, refusal: 'store-unavailable' };
  } finally {
    waited.abort(readOver);
  }
}
