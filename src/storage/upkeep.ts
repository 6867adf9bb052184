import type { Logger } from 'pino';
import type { Clock, Timer } from '../clock.js';
import type { Store } from './keyv-store.js';
import { describeStoreError } from './store-error.js';

export const pruneEveryMs = 6 * 60 * 60 * 1000;

export interface Upkeep {
  /** No further runs; resolves once a run in progress is over (before the store closes). */
  stop(): Promise<void>;
}

/**
 * Prunes expired rows and drops kept images past their time (on `clock`, as they were kept) now and every `everyMs`;
 * a failed run is logged and tried at the next one.
 */
export function scheduleUpkeep(
  store: Pick<Store, 'pruneExpired'> & Partial<Pick<Store, 'dropExpiredImages'>>,
  clock: Clock,
  log: Logger,
  everyMs = pruneEveryMs,
): Upkeep {
  let timer: Timer | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const run = async () => {
    try {
      const rows = await store.pruneExpired();
      if (rows > 0) log.info({ rows }, 'pruned finished jobs past their keeping time');
    } catch (err) {
      log.warn({ reason: describeStoreError(err) }, 'pruning finished jobs failed; trying again later');
    }
    if (store.dropExpiredImages) {
      try {
        const images = await store.dropExpiredImages(clock.now());
        if (images > 0) log.info({ images }, 'dropped start images past their keeping time');
      } catch (err) {
        log.warn({ reason: describeStoreError(err) }, 'dropping kept images failed; trying again later');
      }
    }
    if (!stopped) timer = clock.setTimer(everyMs, () => (running = run()));
  };
  running = run();
  return {
    async stop() {
      stopped = true;
      timer?.cancel();
      await running;
    },
  };
}
