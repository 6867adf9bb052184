import type { World } from './world.js';

/** Log lines the bot writes just before it sleeps on the clock to ask Replicate again. */
const retryLine = /^(?:prediction create|prediction poll|looking for the created prediction|image upload) (?:failed|refused)\b.*retrying$/;

const retried = Symbol('retried');

/**
 * Drives the World's clock through a Replicate outage: whenever the bot has logged another retry (it is then asleep
 * on the clock), the clock jumps by that retry's delay, so its next try comes at once. Create it before the outage.
 */
export class OutageDriver {
  private seen: number;

  constructor(private readonly world: World) {
    this.seen = this.retries().length;
  }

  /** Every retry line the bot logged so far. */
  retries(): Record<string, unknown>[] {
    return this.world.logs.entries().filter((e) => typeof e.msg === 'string' && retryLine.test(e.msg));
  }

  /** Lets at least `ms` of clock time pass, retry by retry; returns how many retries that took. */
  async rideOut(ms: number): Promise<number> {
    const end = this.world.clock.now() + ms;
    let count = 0;
    while (this.world.clock.now() < end) {
      await this.until(() => false, { stopAtRetry: true });
      count += 1;
    }
    return count;
  }

  /** Jumps from retry to retry until `probe` holds, and returns its value. */
  async until<T>(probe: () => T | undefined | null | false, options: { stopAtRetry?: boolean; timeoutMs?: number } = {}): Promise<T> {
    for (;;) {
      const result = await this.world.discord
        .waitFor(() => probe() || (this.retries().length > this.seen ? retried : undefined), {
          timeoutMs: options.timeoutMs ?? 20_000,
          description: 'the condition, or another retry of Replicate',
        })
        .catch((err: unknown) => {
          // Say why the bot stopped retrying, if it did: a job it gave up on is the usual reason.
          const gaveUp = this.world.logs.entries().filter((e) => /gave up|job failed/.test(String(e.msg)));
          throw new Error(`${(err as Error).message}; the bot logged: ${JSON.stringify(gaveUp.map((e) => [e.msg, e.reason]))}`);
        });
      if (result !== retried) return result as T;
      const all = this.retries();
      this.seen = all.length;
      this.world.clock.jump(Number(all.at(-1)?.delayMs ?? 0));
      if (options.stopAtRetry) return undefined as T;
    }
  }
}
