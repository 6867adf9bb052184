import type { Logger } from 'pino';
import type { Clock, Timer } from '../clock.js';
import type { PredictionSlots } from '../queue/ports.js';
import type { SlotStore } from './backend.js';
import { describeStoreError } from './store-error.js';

export interface SlotPoolOptions {
  slots: SlotStore;
  /** MAX_CONCURRENT_PREDICTIONS: the account's cap, shared by every process on the store. */
  cap: number;
  /**
   * Unique per process (not its owner name): a process paused past its lease and its successor, which run as the
   * same owner, must never both count one slot as theirs. A restart's slots expire after the TTL.
   */
  holder: string;
  clock: Clock;
  log: Logger;
  /** The pool's name in the store (default `replicate`; tests use their own). */
  pool?: string;
  /** How long a slot outlives its holder's last renewal, in ms (default 30 000): a killed process's come back then. */
  ttlMs?: number;
  /** Renewal period in ms (default 5 000); also how often the demand is told and fair shares are read. */
  renewEveryMs?: number;
  /** While this process wants more slots than it holds, it asks again this often, in ms (default 1 000). */
  askEveryMs?: number;
}

export interface SlotPool extends PredictionSlots {
  /** Slots this process holds now (confirmed within the TTL). */
  held(): number;
  /** The first claim (and the first demand told). */
  start(): Promise<void>;
  /** Renews, tells the demand and takes or gives back slots now; resolves when done (the timer does it too). */
  refresh(): Promise<void>;
  /** Stops renewing and gives back the slots no running prediction uses (those expire, or the next start renews them). */
  stop(): Promise<void>;
}

/**
 * MAX_CONCURRENT_PREDICTIONS across processes: `cap` slots in the store, each a lease held by one process. In the
 * background this process renews its slots, tells its demand (slots in use + jobs ready to start), and takes free
 * slots up to its allowance: all it wants (plus one spare) while nobody else waits, otherwise its fair share
 * ceil(cap / processes with demand). Slots beyond the allowance go back as the predictions using them end.
 * A store outage leaves running predictions alone; once the last renewal is older than the TTL no new one starts.
 */
export function createSlotPool(options: SlotPoolOptions): SlotPool {
  const { slots, cap, holder, clock, log } = options;
  const pool = options.pool ?? 'replicate';
  const ttlMs = options.ttlMs ?? 30_000;
  const renewEveryMs = options.renewEveryMs ?? 5_000;
  const askEveryMs = options.askEveryMs ?? 1_000;
  const claim = () => ({ pool, holder, cap, ttlMs, now: clock.now() });

  let held: number[] = [];
  const inUse = new Set<string>();
  let lastOk = clock.now();
  let ready: () => number = () => 0;
  let onFree: () => void = () => undefined;
  let timer: Timer | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let failing = false;
  /** The demand the store was last told. */
  let told = 0;

  const confirmed = () => (clock.now() - lastOk <= ttlMs ? held.length : 0);
  const free = () => Math.max(0, confirmed() - inUse.size);
  const wanted = () => inUse.size + ready();

  async function syncOnce(): Promise<void> {
    const before = free();
    const renewed = await slots.renew(claim());
    const lost = held.filter((slot) => !renewed.includes(slot));
    if (lost.length > 0) log.warn({ pool, slots: lost }, 'prediction slots expired and were taken over; taking others');
    held = renewed;
    lastOk = clock.now();
    const want = wanted();
    told = want;
    const demands = await slots.reportDemand({ pool, holder, want, held: held.length, ttlMs: 3 * renewEveryMs, now: clock.now() });
    const withDemand = Math.max(1, demands.filter((d) => d.want > 0 && d.holder !== holder).length + (want > 0 ? 1 : 0));
    const othersWait = demands.some((d) => d.holder !== holder && d.want > d.held);
    const allowance = othersWait ? Math.ceil(cap / withDemand) : cap;
    // One spare slot while nobody else waits: a job joining an idle line starts at once, without a store round trip.
    const target = Math.min(want + (othersWait ? 0 : 1), allowance);
    if (held.length < target) {
      held = [...held, ...(await slots.take({ ...claim(), count: target - held.length }))].sort((a, b) => a - b);
    }
    const keep = Math.max(target, inUse.size);
    if (held.length > keep) {
      const surplus = held.slice(keep);
      held = held.slice(0, keep);
      await slots.release(pool, holder, surplus);
    }
    if (failing) log.info({ pool }, 'prediction slots reachable again');
    failing = false;
    if (free() > before) onFree();
  }

  /** One sync at a time; a kick during one runs another right after it. */
  function sync(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    timer?.cancel();
    running = (async () => {
      do {
        again = false;
        try {
          await syncOnce();
        } catch (err) {
          if (!failing) log.warn({ pool, reason: describeStoreError(err) }, 'prediction slots not reachable; running predictions carry on, new ones wait');
          failing = true;
        }
      } while (again && !stopped);
      running = undefined;
      if (!stopped) timer = clock.setTimer(wanted() > held.length || failing ? askEveryMs : renewEveryMs, () => void sync());
    })();
    return running;
  }

  return {
    free,
    held: confirmed,
    use(jobId) {
      inUse.add(jobId);
    },
    adopt(jobId) {
      inUse.add(jobId);
      if (!stopped) void sync();
    },
    release(jobId) {
      if (!inUse.delete(jobId) || stopped) return;
      // The slot is free for this process's next job at once; the sync gives it back if another process waits.
      onFree();
      void sync();
    },
    demandChanged() {
      if (!stopped && wanted() > told && wanted() > held.length) void sync();
    },
    attach(readyCount, listener) {
      ready = readyCount;
      onFree = listener;
    },
    start: () => sync(),
    refresh: () => sync(),
    async stop() {
      stopped = true;
      timer?.cancel();
      await running;
      const surplus = held.slice(inUse.size);
      held = held.slice(0, inUse.size);
      await slots.release(pool, holder, surplus).catch((err: unknown) => {
        log.warn({ pool, reason: describeStoreError(err) }, `could not give prediction slots back; they expire in ${ttlMs / 1000} s`);
      });
    },
  };
}
