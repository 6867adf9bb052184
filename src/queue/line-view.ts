import { lineEstimator, type MedianOf } from './eta.js';
import type { Job } from './job.js';
import type { ProgressInfo } from './ports.js';
import type { Scheduler } from './scheduler.js';

/** How many wait and run in one guild (what /queue shows). */
export interface GuildSnapshot {
  waiting: number;
  running: number;
  /** Jobs the guild may run at once. */
  concurrency: number;
}

/** One of a member's live jobs, as /usage and /queue show it. */
export interface MemberJob {
  job: Job;
  /** 1-based place in the guild's line while waiting in it. */
  position?: number;
  /**
   * Milliseconds until the video should be ready, from the bot's own history (absent until there is some). For a
   * running job it is what is left of its estimate: 0 or less once past it.
   */
  etaMs?: number;
}

export interface LineViewDeps {
  scheduler: Scheduler;
  /** The queue's live jobs (its in-memory view). */
  jobs: ReadonlyMap<string, Job>;
  /** Median generation time per clip duration; none: no ETA anywhere. */
  median?: MedianOf | undefined;
  concurrencyOf(guildId: string): number;
  now(): number;
}

const runningStates = new Set<Job['state']>(['starting', 'running', 'delivering']);

/**
 * Read-only views of the guilds' lines, with ETAs: synchronous and in memory (members' commands answer from
 * them before anything is acknowledged).
 */
export function createLineView(o: LineViewDeps) {
  const median: MedianOf = (duration) => o.median?.(duration);

  /** When a job given its turn should be done (epoch ms); a delivering job is as good as done. */
  function readyAt(job: Job, now: number): number | undefined {
    if (job.state === 'delivering') return now;
    const ms = median(job.seconds);
    if (ms === undefined) return undefined;
    return job.state === 'running' && job.startedAt !== undefined ? job.startedAt + ms : now + ms;
  }

  /**
   * ETAs (ms from now) of the guild's waiting jobs `ids` (its line, in order), aligned with them; shorter when the
   * estimate stops (a duration without history). One pass, stopping at once without history: the queue asks on
   * every move of a line.
   */
  function lineEtas(guildId: string, ids: readonly string[] = o.scheduler.waitingIds(guildId)): number[] {
    const etas: number[] = [];
    if (!o.median || ids.length === 0) return etas;
    const now = o.now();
    // A delivering job's slot is as good as free: it is left out.
    const running = o.scheduler.runningIds(guildId).flatMap((id) => {
      const job = o.jobs.get(id);
      if (!job || job.state === 'delivering') return [];
      const elapsedMs = job.state === 'running' && job.startedAt !== undefined ? now - job.startedAt : 0;
      return [{ duration: job.seconds, elapsedMs }];
    });
    const next = lineEstimator({ running, concurrency: o.concurrencyOf(guildId), median });
    for (const id of ids) {
      const eta = next(o.jobs.get(id)?.seconds ?? 5);
      if (eta === undefined) break;
      etas.push(eta);
    }
    return etas;
  }

  /** What the progress view needs beside the job: the ETA while waiting, the estimated end while running. */
  function progressInfo(job: Job): ProgressInfo {
    if (!o.median) return {};
    if (job.state === 'queued') {
      const position = o.scheduler.position(job.id);
      if (position === undefined) return {};
      const eta = lineEtas(job.guildId)[position - 1];
      return eta === undefined ? {} : { etaMs: eta };
    }
    if (job.state !== 'running') return {};
    const at = readyAt(job, o.now());
    return at === undefined ? {} : { readyAt: at };
  }

  function guildSnapshot(guildId: string): GuildSnapshot {
    return {
      waiting: o.scheduler.waitingCount(guildId),
      running: o.scheduler.runningCount(guildId),
      concurrency: o.concurrencyOf(guildId),
    };
  }

  /** The member's live jobs in the guild: running ones first, then waiting ones in line order. */
  function memberJobs(guildId: string, userId: string): MemberJob[] {
    const now = o.now();
    const mine = [...o.jobs.values()].filter((job) => job.guildId === guildId && job.userId === userId);
    if (mine.length === 0) return [];
    const etas = lineEtas(guildId);
    const running: MemberJob[] = [];
    const waiting: MemberJob[] = [];
    for (const job of mine) {
      if (runningStates.has(job.state)) {
        const at = readyAt(job, now);
        running.push({ job, ...(at !== undefined && job.state !== 'delivering' ? { etaMs: at - now } : {}) });
      } else if (job.state === 'queued') {
        const position = o.scheduler.position(job.id);
        const eta = position === undefined ? undefined : etas[position - 1];
        waiting.push({ job, ...(position !== undefined ? { position } : {}), ...(eta !== undefined ? { etaMs: eta } : {}) });
      }
    }
    running.sort((a, b) => a.job.seq - b.job.seq);
    waiting.sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity) || a.job.seq - b.job.seq);
    return [...running, ...waiting];
  }

  return { lineEtas, progressInfo, guildSnapshot, memberJobs };
}

export type LineView = ReturnType<typeof createLineView>;
