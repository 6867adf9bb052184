/**
 * `npm start` for the chaos soak: src/main.ts's start-up and signal handling, with the store wrapped by the
 * fault-injecting store. SOAK_STORE_FAULTS (JSON) says what fails:
 *   { "seed": 7, "writeRate": 0.02, "outageRate": 0.003, "outageWrites": 6, "appliedRate": 0.2, "readsAtStart": 1 }
 * Each injected fault is logged ("store fault injected"), and each job once when first saved ("soak job seen",
 * with its interaction id), so the soak can tie what the fakes saw to the bot's jobs and their log lines.
 */
import type { Logger } from 'pino';
import { startBot } from '../../src/bot.js';
import { ConfigError, parseConfig } from '../../src/config.js';
import type { Store } from '../../src/storage/keyv-store.js';
import { createFaultyStore, type RandomFaults } from './faulty-store.js';

type StoreFaultPlan = Partial<RandomFaults> & { readsAtStart?: number };

function wrapStore(plan: StoreFaultPlan | undefined) {
  return (store: Store, log: Logger): Store => {
    const faulty = createFaultyStore(store);
    if (plan?.readsAtStart) faulty.failReadsAtStart(plan.readsAtStart);
    if (plan?.seed !== undefined) faulty.failAtRandom({ ...plan, seed: plan.seed });
    faulty.onFault = ({ op, key, n, applied, job }) =>
      log.warn({ op, key, n, applied, ...(job ? { jobId: job.id, state: job.state } : {}) }, 'store fault injected');
    const seen = new Set<string>();
    const saveJob = faulty.store.saveJob;
    return new Proxy(faulty.store, {
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
  const bot = await startBot({ config, wrapStore: wrapStore(plan) });
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
