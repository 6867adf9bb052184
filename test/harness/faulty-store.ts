import type { Job } from '../../src/queue/job.js';
import type { JobStore } from '../../src/queue/ports.js';
import { SeededRandom } from './seeded-random.js';

/**
 * A stand-in for a store that fails: wraps a real store (the Store from src/storage/keyv-store.ts, or any JobStore)
 * and makes chosen operations reject, as a Redis refusing writes (OOM, READONLY), a full disk or a dropped
 * connection would. Everything else passes through untouched, including methods this wrapper does not know.
 *
 *   const faulty = createFaultyStore(store);
 *   faulty.failWrite(3);                        // the 3rd write from now fails
 *   faulty.failWrites(5);                       // the next 5 writes fail ("every write for a while")
 *   faulty.failReadsAtStart(2);                 // the first 2 reads fail
 *   faulty.failWhen((c) => c.job?.state === 'running');   // the write of a chosen transition fails (once)
 *   faulty.failAtRandom({ seed: 7, writeRate: 0.05 });
 *   startBot({ config, wrapStore: () => faulty.store });
 *
 * A refused write leaves the store as it was; with `applied: true` the write lands and only its answer is lost
 * (a timeout after the server applied it).
 */

export const writeOps = ['saveJob', 'saveImage', 'deleteImage', 'setMeta'] as const;
export const readOps = ['getJob', 'listActiveJobs', 'loadImage', 'getMeta'] as const;
export type StoreOp = (typeof writeOps)[number] | (typeof readOps)[number];

/** One operation as the rules see it. */
export interface StoreCall {
  op: StoreOp;
  kind: 'write' | 'read';
  /** 1-based count of this kind of operation since the wrapper was made. */
  n: number;
  /** The job id (job and image operations) or the meta key. */
  key: string | undefined;
  /** The job being saved (saveJob only). */
  job?: Job;
}

export interface InjectedFault extends StoreCall {
  /** True when the write landed and only its answer was replaced by the error. */
  applied: boolean;
  rule: string;
}

/** The error a failed operation rejects with; `code` lets a log reader tell it from a real one. */
export class StoreFaultError extends Error {
  readonly code = 'EINJECTED';
  constructor(call: StoreCall) {
    super(`store ${call.kind} refused (injected fault: ${call.op}${call.key ? ` ${call.key}` : ''})`);
    this.name = 'StoreFaultError';
  }
}

export interface RuleOptions {
  /** The write lands, then the call rejects anyway. */
  applied?: boolean;
}

export interface RandomFaults {
  seed: number;
  /** Chance that any one write fails. */
  writeRate?: number;
  /** Chance that any one read fails. */
  readRate?: number;
  /** Chance that a write starts an outage: it and the next `outageWrites - 1` writes fail. */
  outageRate?: number;
  outageWrites?: number;
  /** Chance that a failed write was in fact applied (only its answer lost). */
  appliedRate?: number;
}

export interface FaultyStore<S extends JobStore> {
  /** The wrapped store: use it wherever the real one would go. */
  readonly store: S;
  /** Every fault injected so far, in order. */
  readonly faults: readonly InjectedFault[];
  readonly writes: number;
  readonly reads: number;
  /** The `nth` write from now fails (1: the next one). */
  failWrite(nth: number, options?: RuleOptions): void;
  /** The next `count` writes fail. */
  failWrites(count: number, options?: RuleOptions): void;
  /** The first `count` reads fail, counted from when the wrapper was made (a store unreadable at start). */
  failReadsAtStart(count: number): void;
  /** The next `times` (default 1) operations that `match` picks fail. */
  failWhen(match: (call: StoreCall) => boolean, options?: RuleOptions & { times?: number }): void;
  /** Writes (and reads) fail at random, reproducibly from the seed. */
  failAtRandom(plan: RandomFaults): void;
  /** Drops every rule: from now on everything passes. */
  heal(): void;
  /** Called with each fault as it is injected. */
  onFault?: (fault: InjectedFault) => void;
}

interface Rule {
  name: string;
  /** Decides one call: undefined lets it pass, else how it fails. */
  decide(call: StoreCall): { applied: boolean } | undefined;
  /** Spent rules are dropped. */
  done(): boolean;
}

const writeSet: ReadonlySet<string> = new Set(writeOps);
const readSet: ReadonlySet<string> = new Set(readOps);

function keyOf(op: StoreOp, args: unknown[]): string | undefined {
  if (op === 'saveJob') return (args[0] as Job | undefined)?.id;
  if (op === 'listActiveJobs') return undefined;
  return typeof args[0] === 'string' ? args[0] : undefined;
}

export function createFaultyStore<S extends JobStore>(inner: S): FaultyStore<S> {
  const rules: Rule[] = [];
  const faults: InjectedFault[] = [];
  let writes = 0;
  let reads = 0;

  function countdown(name: string, kind: 'write' | 'read', first: number, count: number, applied: boolean): Rule {
    let seen = 0;
    return {
      name,
      decide(call) {
        if (call.kind !== kind) return undefined;
        seen++;
        return seen >= first && seen < first + count ? { applied } : undefined;
      },
      done: () => seen >= first + count - 1,
    };
  }

  async function run(op: StoreOp, args: unknown[], call: () => Promise<unknown>): Promise<unknown> {
    const kind = writeSet.has(op) ? 'write' : 'read';
    const n = kind === 'write' ? ++writes : ++reads;
    const info: StoreCall = { op, kind, n, key: keyOf(op, args) };
    if (op === 'saveJob') info.job = args[0] as Job;
    let verdict: { applied: boolean; rule: string } | undefined;
    // Every rule sees every call (counting rules count), the first one that fails it wins.
    for (const rule of [...rules]) {
      const decided = rule.decide(info);
      if (decided && !verdict) verdict = { ...decided, rule: rule.name };
      if (rule.done()) rules.splice(rules.indexOf(rule), 1);
    }
    if (!verdict) return call();
    const applied = kind === 'write' && verdict.applied;
    if (applied) await call();
    const fault: InjectedFault = { ...info, applied, rule: verdict.rule };
    faults.push(fault);
    faulty.onFault?.(fault);
    throw new StoreFaultError(info);
  }

  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      if (!writeSet.has(prop) && !readSet.has(prop)) return fn.bind(target);
      return (...args: unknown[]) => run(prop as StoreOp, args, () => fn.apply(target, args));
    },
  });

  const faulty: FaultyStore<S> = {
    store,
    get faults() {
      return faults;
    },
    get writes() {
      return writes;
    },
    get reads() {
      return reads;
    },
    failWrite(nth, options = {}) {
      rules.push(countdown(`write #${nth} from now`, 'write', nth, 1, options.applied ?? false));
    },
    failWrites(count, options = {}) {
      rules.push(countdown(`next ${count} writes`, 'write', 1, count, options.applied ?? false));
    },
    failReadsAtStart(count) {
      let left = Math.max(0, count - reads);
      rules.push({
        name: `first ${count} reads`,
        decide: (call) => (call.kind === 'read' && left > 0 ? (left--, { applied: false }) : undefined),
        done: () => left <= 0,
      });
    },
    failWhen(match, options = {}) {
      let left = options.times ?? 1;
      rules.push({
        name: 'chosen operation',
        decide: (call) => (left > 0 && match(call) ? (left--, { applied: options.applied ?? false }) : undefined),
        done: () => left <= 0,
      });
    },
    failAtRandom(plan) {
      const random = new SeededRandom(plan.seed);
      let outageLeft = 0;
      rules.push({
        name: `random (seed ${plan.seed})`,
        decide(call) {
          // One draw per purpose and call, always made, so the sequence depends only on the order of calls.
          const roll = random.next();
          const outage = random.next();
          const applied = random.next() < (plan.appliedRate ?? 0);
          if (call.kind === 'read') return roll < (plan.readRate ?? 0) ? { applied: false } : undefined;
          if (outageLeft > 0) {
            outageLeft--;
            return { applied };
          }
          if (outage < (plan.outageRate ?? 0)) {
            outageLeft = Math.max(0, (plan.outageWrites ?? 5) - 1);
            return { applied };
          }
          return roll < (plan.writeRate ?? 0) ? { applied } : undefined;
        },
        done: () => false,
      });
    },
    heal() {
      rules.length = 0;
    },
  };
  return faulty;
}
