/**
 * `npm start` for the chaos soak: src/main.ts's start-up and signal handling, with the store wrapped by the
 * fault-injecting store. SOAK_STORE_FAULTS (JSON) says what fails:
 *   { "seed": 7, "writeRate": 0.02, "outageRate": 0.003, "outageWrites": 6, "appliedRate": 0.2, "readsAtStart": 1 }
 * Each injected fault is logged ("store fault injected"), and each job once when first saved ("soak job seen",
 * with its interaction id), so the soak can tie what the fakes saw to the bot's jobs and their log lines.
 * SOAK_TUNING (JSON, test-only): `{ "leaseTtlMs": 3000 }` shortens the store lease and the prediction slots' lease
 * (renewed every third of it), so a holder frozen with SIGSTOP is past its lease in seconds. Told of the freeze
 * by a SIGUSR2 just before it ("soak watching writes"), the process logs every store write it makes from then on
 * ("soak store write", with `applied` and pino's `time`), so the soak can tell whether a holder that lost its lease
 * while frozen still wrote after its SIGCONT ("soak resumed").
 */
import type { Logger } from 'pino';
import { startBot, type BotTuning } from '../../src/bot.js';
import { ConfigError, parseConfig } from '../../src/config.js';
import type { Store } from '../../src/storage/keyv-store.js';
import { createFaultyStore, type RandomFaults } from './faulty-store.js';

type StoreFaultPlan = Partial<RandomFaults> & { readsAtStart?: number };

const writes = new Set(['saveJob', 'saveImage', 'deleteImage', 'keepImage', 'setMeta', 'dropExpiredImages', 'pruneExpired']);
let watching = false;
/** The bot's logger, once the store is open (the signals below may come before startBot returns). */
let botLog: Logger | undefined;

function tuningFrom(raw: string | undefined): BotTuning {
  const leaseTtlMs = raw ? (JSON.parse(raw) as { leaseTtlMs?: number }).leaseTtlMs : undefined;
  if (!leaseTtlMs) return {};
  const lease = { ttlMs: leaseTtlMs, renewEveryMs: Math.max(100, Math.floor(leaseTtlMs / 3)) };
  return { lease, slots: lease };
}

/** Once watching, each write the store is asked for, and whether it was applied (the fencing's test). */
function watchWrites(store: Store, log: Logger): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || !writes.has(prop) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        // When it was asked for: a write sent before a freeze may be answered only after the resume.
        const issuedAt = Date.now();
        const call = (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (!watching) return call;
        const about = typeof args[0] === 'string' ? args[0] : (args[0] as { id?: string } | undefined)?.id;
        return call.then(
          (result) => {
            log.warn({ op: prop, about, issuedAt, applied: true }, 'soak store write');
            return result;
          },
          (err: unknown) => {
            log.warn({ op: prop, about, issuedAt, applied: false, err }, 'soak store write');
            throw err;
          },
        );
      };
    },
  });
}

function wrapStore(plan: StoreFaultPlan | undefined) {
  return (store: Store, log: Logger): Store => {
    botLog = log;
    const faulty = createFaultyStore(store);
    if (plan?.readsAtStart) faulty.failReadsAtStart(plan.readsAtStart);
    if (plan?.seed !== undefined) faulty.failAtRandom({ ...plan, seed: plan.seed });
    faulty.onFault = ({ op, key, n, applied, job }) =>
      log.warn({ op, key, n, applied, ...(job ? { jobId: job.id, state: job.state } : {}) }, 'store fault injected');
    const seen = new Set<string>();
    const watched = watchWrites(faulty.store, log);
    const saveJob = watched.saveJob;
    return new Proxy(watched, {
      get(target, prop, receiver) {
        if (prop !== 'saveJob') return Reflect.get(target, prop, receiver) as unknown;
        return (job: Parameters<Store['saveJob']>[0]) => {
          if (!seen.has(job.id)) {
            seen.add(job.id);
            log.info({ jobId: job.id, interactionId: job.reply.interactionId, state: job.state }, 'soak job seen');
          }
          return saveJob(job);
        };
      },
    });
  };
}

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`Cannot start: ${err.message}\n`);
    process.exit(1);
  }
  const raw = process.env.SOAK_STORE_FAULTS;
  const plan = raw ? (JSON.parse(raw) as StoreFaultPlan) : undefined;
  process.on('SIGUSR2', () => {
    watching = true;
    botLog?.warn('soak watching writes');
  });
  process.on('SIGCONT', () => botLog?.warn('soak resumed'));
  // Like npm start: a process whose lease another took over goes, with the lease's one line.
  const bot = await startBot({
    config,
    wrapStore: wrapStore(plan),
    tuning: tuningFrom(process.env.SOAK_TUNING),
    onLeaseLost: () => process.exit(1),
  });
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    bot.log.info({ signal }, 'stopping');
    setTimeout(() => process.exit(0), 9_000).unref();
    bot.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        bot.log.error({ err }, 'stop failed');
        process.exit(0);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`Cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
