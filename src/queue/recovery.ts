import type { Job } from './job.js';

/**
 * What to do at boot with the jobs a previous process left active (the store is the source of truth).
 * - `waiting`: queued with its image (if any) stored: back in line, in seq order with their rounds.
 * - `refetch`: queued but the image was never stored: download it again, then queue.
 * - `resume`: starting, running or delivering: they hold a slot and carry on from their persisted state
 *   (a running job waits on the SAME prediction; a marker without an id looks for the earlier prediction first).
 * - `unsure` (only when asked for): queued, but it never joined the line (no `queueRound`: an acknowledged job always
 *   stores one, or its image first). Its first write was reported refused yet landed, and the process stopped before
 *   the job ended quietly: the member may have been told "try again". Discord is asked before it may join the line.
 * - `unshown`: failed or canceled, but the member was not shown it yet (Discord failed, or the process stopped).
 * A running or delivering record without a prediction id (an old or damaged record) resumes as `starting`, so the
 * pipeline looks for its prediction instead of failing it.
 */
export interface RecoveryPlan {
  waiting: Job[];
  refetch: Job[];
  resume: Job[];
  unshown: Job[];
  unsure: Job[];
}

export function planRecovery(active: readonly Job[], askUnsure = false): RecoveryPlan {
  const plan: RecoveryPlan = { waiting: [], refetch: [], resume: [], unshown: [], unsure: [] };
  for (const stored of [...active].sort((a, b) => a.seq - b.seq)) {
    const job = normalize(stored);
    if (job.state === 'queued') {
      if (askUnsure && job.queueRound === undefined) plan.unsure.push(job);
      else if (job.image && !job.image.stored) plan.refetch.push(job);
      else plan.waiting.push(job);
    } else if (job.state === 'starting' || job.state === 'running' || job.state === 'delivering') {
      plan.resume.push(job);
    } else if (job.state === 'failed' || job.state === 'canceled') {
      plan.unshown.push(job);
    }
  }
  return plan;
}

function normalize(job: Job): Job {
  if ((job.state === 'running' || job.state === 'delivering') && !job.predictionId) {
    return { ...job, state: 'starting', createStartedAt: job.createStartedAt ?? job.createdAt };
  }
  return job;
}
