import { parseJobIdRest } from '../src/discord/custom-id.js';
import type { JobInput } from '../src/queue/job-input.js';
import type { RefusalCode } from '../src/refusals.js';
import { refuse, type StartingInteraction } from './start-job.js';
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
  guildId: string,
  ctx: CommandContext,
): Promise<{ ok: true; input: JobInput } | { ok: false; refusal: RefusalCode }> {
  const waited = new AbortController();
  try {
    const read = await Promise.race([
      ctx.queue.inputOf(jobId, guildId),
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

/**
 * The original job of a pressed button or a submitted form (custom_id `<prefix>:<jobId>`, `rest` being the id), or
 * undefined once the member was told, ephemerally, why it cannot be used. Anyone in the original's guild may use it;
 * from another guild it is "not found", before its input or its state is read out.
 */
export async function pressedOriginal(
  interaction: StartingInteraction,
  rest: string,
  ctx: CommandContext,
): Promise<{ jobId: string; input: JobInput } | undefined> {
  const refused = async (code: RefusalCode) => {
    await refuse(interaction, code, ctx.log);
    return undefined;
  };
  if (!interaction.inGuild()) return refused('guild-only');
  const jobId = parseJobIdRest(rest);
  if (!jobId) return refused('job-not-found');
  const original = await originalInput(jobId, interaction.guildId, ctx);
  if (!original.ok) return refused(original.refusal);
  return { jobId, input: original.input };
}
