/**
 * Starts the soak's bot (test/harness/soak-bot-main.ts) as a child process, kills it with SIGKILL and starts it
 * again on the same store; a start that fails is retried, as systemd's `Restart=on-failure` would.
 */
import { spawnBot, type BotProcess } from '../../test/harness/bot-process.js';
import { SeededRandom } from '../../test/harness/seeded-random.js';
import type { BotLogs } from './bot-logs.js';
import type { SoakOptions, SoakPlan } from './plan.js';

export const soakEntry = 'test/harness/soak-bot-main.ts';

export interface SupervisorOptions {
  options: SoakOptions;
  plan: SoakPlan;
  /** The environment without store faults: tokens, stand-in URLs, the store, limits. */
  env: Record<string, string>;
  logs: BotLogs;
  progress: (line: string) => void;
}

export class BotSupervisor {
  /** Every process started, in order. */
  readonly processes: BotProcess[] = [];
  failedStarts = 0;
  /** True while the current process is logged in and not being killed. */
  up = false;
  private current: BotProcess | undefined;
  private readonly restarts: SeededRandom;

  constructor(private readonly o: SupervisorOptions) {
    this.restarts = new SeededRandom(o.options.seed).fork('restarts');
  }

  /** Starts a bot and waits until it is ready; `calm`: without store faults (the final check). */
  async start(calm = false): Promise<BotProcess> {
    for (let attempt = 1; ; attempt++) {
      const next = spawnBot({ ...this.o.env, ...this.storeFaults(calm) }, soakEntry);
      this.processes.push(next);
      this.o.logs.add(next);
      try {
        await next.waitForLog('bot ready', { timeoutMs: 60_000 });
        this.current = next;
        this.up = true;
        return next;
      } catch (err) {
        this.failedStarts++;
        await next.kill('SIGKILL');
        this.o.progress(`bot start #${this.processes.length} failed: ${next.stderr.trim().split('\n').at(-1) ?? String(err)}`);
        if (attempt >= 5) throw err;
      }
    }
  }

  /** Kills the current bot with SIGKILL and starts the next on the same store. */
  async killAndRestart(): Promise<void> {
    this.up = false;
    await this.current?.kill('SIGKILL');
    await this.start();
  }

  /** Stops the current bot gracefully (SIGTERM). */
  async stop(): Promise<void> {
    this.up = false;
    await this.current?.kill('SIGTERM');
  }

  async killAll(): Promise<void> {
    this.up = false;
    await Promise.all(this.processes.map((p) => p.kill('SIGKILL')));
  }

  private storeFaults(calm: boolean): Record<string, string> {
    const { options: o, plan } = this.o;
    if (calm || o.chaos === 0) return {};
    const n = this.processes.length;
    const faults = {
      seed: plan.storeSeeds[n % plan.storeSeeds.length]!,
      writeRate: 0.02 * o.chaos,
      outageRate: 0.004 * o.chaos,
      outageWrites: 6,
      appliedRate: 0.2,
      // Some restarts meet a store that cannot be read at first.
      readsAtStart: n > 0 && this.restarts.chance(0.25) ? 1 : 0,
    };
    return { SOAK_STORE_FAULTS: JSON.stringify(faults) };
  }
}
