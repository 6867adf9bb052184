import type { Prediction } from 'replicate';
import type { Clock } from '../clock.js';

/**
 * Where verified webhooks meet the runner's waits, in one process. The runner marks each prediction it creates
 * or waits on (`expect`); the webhook receiver hands in what Replicate sent (`deliver`), and a delivery for a
 * prediction this process does not hold is refused (answered and ignored by the receiver). A delivery that arrives
 * before its wait begins (between the create's answer and the job turning "running") is kept for it.
 */
export interface PredictionInbox {
  /** Holds deliveries for `id` from now on. `created`: made by this process since it started (its webhooks come here). */
  expect(id: string, created: boolean): void;
  /** Whether this process created `id` since it started (so a missed webhook is the only reason to poll). */
  createdHere(id: string): boolean;
  /** Hands a verified prediction to its wait; false when this process holds no such prediction. */
  deliver(prediction: Prediction): boolean;
  /** The next prediction delivered for `id` (a kept one at once), or undefined once `ms` of the clock passed. */
  next(id: string, ms: number, signal?: AbortSignal): Promise<Prediction | undefined>;
  /** Stops holding `id` (its wait ended); later deliveries for it are refused. */
  forget(id: string): void;
}

interface Entry {
  created: boolean;
  kept: Prediction | undefined;
  waiter: ((prediction: Prediction) => void) | undefined;
}

export function createPredictionInbox(clock: Clock): PredictionInbox {
  const entries = new Map<string, Entry>();
  return {
    expect(id, created) {
      const entry = entries.get(id);
      if (entry) entry.created ||= created;
      else entries.set(id, { created, kept: undefined, waiter: undefined });
    },
    createdHere: (id) => entries.get(id)?.created ?? false,
    deliver(prediction) {
      const entry = entries.get(prediction.id);
      if (!entry) return false;
      if (entry.waiter) entry.waiter(prediction);
      // Only the furthest state is worth keeping: the runner ignores one that goes backwards anyway.
      else if (!entry.kept || rank(prediction.status) >= rank(entry.kept.status)) entry.kept = prediction;
      return true;
    },
    next(id, ms, signal) {
      const entry = entries.get(id);
      if (!entry) return clock.sleep(ms, signal).then(() => undefined);
      const kept = entry.kept;
      if (kept) {
        entry.kept = undefined;
        return Promise.resolve(kept);
      }
      return new Promise((resolve, reject) => {
        const done = () => {
          timer.cancel();
          entry.waiter = undefined;
          signal?.removeEventListener('abort', onAbort);
        };
        const onAbort = () => {
          done();
          reject(signal?.reason);
        };
        const timer = clock.setTimer(ms, () => {
          done();
          resolve(undefined);
        });
        entry.waiter = (prediction) => {
          done();
          resolve(prediction);
        };
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    forget: (id) => void entries.delete(id),
  };
}

/** Replicate's statuses only move forward: starting, then processing, then one terminal status. */
export function rank(status: string): number {
  if (status === 'starting') return 0;
  if (status === 'processing') return 1;
  return 2;
}
