import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Job } from './job.js';
import { isFencedRefusal, type JobStore } from './ports.js';

/**
 * The one door through which a job's record reaches the store.
 * - Serialized per job: each save waits for the previous one, so two callers (the pipeline and the responder's
 *   moved reply, say) never race on one record and the last state written is the last state decided. keyv has no
 *   compare-and-set, so this in-process chain is the guard (see reference/keyv.md §5-6).
 * - Durable or nothing: a save that the store refuses (down, read-only, out of memory) is retried with capped
 *   backoff until it lands. A job never fails because its record could not be written; it waits. Only stop()
 *   ends the retrying (the save then rejects with the stop reason and the store keeps the last state it holds), or a
 *   `fenced` refusal (another process holds the lease now: the save rejects with it at once).
 */
export interface JobWriter {
  /**
   * Resolves once this version of the job is durable (and every earlier save of it has settled). `onRefused` hears of
   * the first refusal (the save goes on retrying).
   */
  save(job: Job, onRefused?: () => void): Promise<void>;
  /** Resolves when every save issued so far has settled. */
  flush(): Promise<void>;
  /**
   * Runs another store call of a job's (its image) with the same policy: retried with capped backoff until the store
   * answers; rejects only on stop.
   */
  untilAnswered<T>(job: Job, what: string, call: () => Promise<T>): Promise<T>;
}

export interface JobWriterOptions {
  clock: Clock;
  log: Logger;
  /** Aborted by stop(): retries end and pending saves reject with its reason. */
  signal: AbortSignal;
  /** First wait after a refused write (default 250 ms); doubles per failure up to `maxDelayMs` (default 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Last look at a record before it is written (redacts an ended job of a forgotten member). */
  prepare?: (job: Job) => Job;
}

export function createJobWriter(store: JobStore, options: JobWriterOptions): JobWriter {
  const { clock, log, signal } = options;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const chains = new Map<string, Promise<void>>();

  async function untilAnswered<T>(job: Job, what: string, call: () => Promise<T>, onRefused?: () => void): Promise<T> {
    for (let failures = 0; ; ) {
      signal.throwIfAborted();
      try {
        const result = await call();
        if (failures > 0) log.info({ jobId: job.id, state: job.state, failures }, `${what} went through`);
        return result;
      } catch (err) {
        if (isFencedRefusal(err)) {
          // Final, and the acknowledgement may be waiting on the first answer: it refuses rather than defers.
          if (failures === 0) onRefused?.();
          throw err;
        }
        failures += 1;
        if (failures === 1) onRefused?.();
        const delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - 1));
        // One line per outage step, not per attempt at the cap: the first failures, then every tenth.
        if (failures <= 3 || failures % 10 === 0) {
          log.warn({ err, jobId: job.id, state: job.state, failures, delayMs }, `${what} failed, retrying`);
        }
        await clock.sleep(delayMs, signal);
      }
    }
  }

  const prepare = options.prepare ?? ((job: Job) => job);
  const untilDurable = (job: Job, onRefused?: () => void) =>
    untilAnswered(job, 'job write', () => store.saveJob(prepare(job)), onRefused);

  return {
    save(job, onRefused) {
      const previous = chains.get(job.id) ?? Promise.resolve();
      const next = previous.then(
        () => untilDurable(job, onRefused),
        () => untilDurable(job, onRefused),
      );
      chains.set(job.id, next);
      const forget = () => {
        if (chains.get(job.id) === next) chains.delete(job.id);
      };
      next.then(forget, forget);
      return next;
    },
    async flush() {
      await Promise.allSettled([...chains.values()]);
    },
    untilAnswered,
  };
}
