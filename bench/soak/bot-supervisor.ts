/**
 * Starts the soak's bot (test/harness/soak-bot-main.ts) as a child process, kills it with SIGKILL and starts it
 * again on the same store; a start that fails is retried, as systemd's `Restart=on-failure` would. Or freezes it
 * (SIGSTOP) past its lease, starts a successor, and resumes the frozen one (SIGCONT), which must then stop.
 */
import { spawnBot, type BotProcess } from '../../test/harness/bot-process.js';
import { SeededRandom } from '../../test/harness/seeded-random.js';
import type { BotLogs } from './bot-logs.js';
import type { SoakOptions, SoakPlan } from './plan.js';

export const soakEntry = 'test/harness/soak-bot-main.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One freeze of a lease holder and what became of it. */
export interface Freeze {
  /** Which bot process was frozen (1 = the first started). */
  processNumber: number;
  frozenAt: number;
  resumedAt: number;
  /** It exited within `resumeGraceMs` of its SIGCONT; otherwise the soak killed it then. */
  stoppedByItself: boolean;
  stoppedAfterMs?: number;
}

export interface SupervisorOptions {
  options: SoakOptions;
  plan: SoakPlan;
  /** The environment of the `n`th process started (1 = the first) without store faults: tokens, URLs, store, limits. */
  env: (n: number) => Record<string, string>;
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
      // The short lease only when a freeze needs it: on a loaded machine a renewal may come late.
      const tuning = this.o.options.freezes > 0 ? { SOAK_TUNING: JSON.stringify({ leaseTtlMs: this.o.options.leaseTtlMs }) } : {};
      const next = spawnBot({ ...this.o.env(this.processes.length + 1), ...tuning, ...this.storeFaults(calm) }, soakEntry);
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

  /**
   * Freezes the current bot (SIGSTOP) until its lease has expired, starts a successor on the same store, lets it
   * work for `takeoverMs`, then resumes the frozen one (SIGCONT) and gives it `resumeGraceMs` to stop by itself
   * before killing it. The frozen process is told first (SIGUSR2) so it logs every store write from then on.
   */
  async freezeAndTakeOver(takeoverMs: number): Promise<Freeze> {
    const frozen = this.current!;
    const processNumber = this.processes.indexOf(frozen) + 1;
    this.up = false;
    const watching = frozen.find('soak watching writes').length;
    process.kill(frozen.pid!, 'SIGUSR2');
    await frozen.waitForLog('soak watching writes', { count: watching + 1, timeoutMs: 10_000 });
    process.kill(frozen.pid!, 'SIGSTOP');
    const frozenAt = Date.now();
    await sleep(this.o.options.leaseTtlMs + 500);
    // Taken before the SIGCONT: whatever the process does from here on is after its resume.
    let resumedAt = 0;
    try {
      await this.start();
      await sleep(takeoverMs);
    } finally {
      resumedAt = Date.now();
      process.kill(frozen.pid!, 'SIGCONT');
    }
    const deadline = resumedAt + this.o.options.resumeGraceMs;
    while (!frozen.hasExited && Date.now() < deadline) await sleep(50);
    if (frozen.hasExited) return { processNumber, frozenAt, resumedAt, stoppedByItself: true, stoppedAfterMs: Date.now() - resumedAt };
    await frozen.kill('SIGKILL');
    return { processNumber, frozenAt, resumedAt, stoppedByItself: false };
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
