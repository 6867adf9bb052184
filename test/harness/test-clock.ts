import { sleepOn, type Clock, type Timer } from '../../src/clock.js';

interface Pending {
  due: number;
  fn: () => void;
  handle: ReturnType<typeof setTimeout> | undefined;
  done: boolean;
}

/**
 * A clock that runs in real time but can be jumped forward: `jump(15 * 60_000)` makes fifteen minutes pass at
 * once for everything that shares it (the bot and the stand-ins), firing the timers that became due.
 */
export class JumpClock implements Clock {
  private offset = 0;
  private readonly pending = new Set<Pending>();

  now(): number {
    return Date.now() + this.offset;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const entry: Pending = { due: this.now() + Math.max(0, ms), fn, handle: undefined, done: false };
    this.pending.add(entry);
    this.arm(entry);
    return {
      cancel: () => {
        entry.done = true;
        if (entry.handle) clearTimeout(entry.handle);
        this.pending.delete(entry);
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Moves time forward by `ms` and fires every timer that is now due. */
  jump(ms: number): void {
    this.offset += ms;
    for (const entry of [...this.pending]) {
      if (entry.handle) clearTimeout(entry.handle);
      this.arm(entry);
    }
  }

  private arm(entry: Pending): void {
    entry.handle = setTimeout(() => {
      if (entry.done) return;
      if (this.now() < entry.due) {
        this.arm(entry);
        return;
      }
      entry.done = true;
      this.pending.delete(entry);
      entry.fn();
    }, Math.max(0, entry.due - this.now()));
  }
}

/**
 * Jumps `clock` past the next UTC midnight when it is nearer than `marginMs`, so a scenario that counts seconds
 * of video "today" never sees its day end halfway (allowances reset at 00:00 UTC).
 */
export function clearOfMidnight(clock: JumpClock, marginMs = 30 * 60_000): void {
  const now = clock.now();
  const midnight = new Date(now);
  midnight.setUTCHours(24, 0, 0, 0);
  if (midnight.getTime() - now < marginMs) clock.jump(midnight.getTime() - now + 1_000);
}

/** A clock that moves only when told: for pure units and simulated-time benchmarks. */
export class ManualClock implements Clock {
  private current: number;
  private timers: { due: number; seq: number; fn: () => void; done: boolean }[] = [];
  private seq = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const timer = { due: this.current + Math.max(0, ms), seq: this.seq++, fn, done: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.done = true) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Time of the earliest pending timer, if any. */
  nextDue(): number | undefined {
    const live = this.timers.filter((t) => !t.done);
    return live.length ? Math.min(...live.map((t) => t.due)) : undefined;
  }

  /** Advances to `now + ms`, firing due timers in order and letting promise callbacks run between them. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (let fired = 1; ; fired++) {
      await flushMicrotasks();
      // A scan, not a sort: simulations keep thousands of timers pending.
      let at = -1;
      for (let i = 0; i < this.timers.length; i++) {
        const t = this.timers[i]!;
        if (t.done || t.due > target) continue;
        const best = this.timers[at];
        if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) at = i;
      }
      if (at < 0) break;
      const next = this.timers[at]!;
      this.current = Math.max(this.current, next.due);
      next.done = true;
      if (fired % 1024 === 0) this.timers = this.timers.filter((t) => !t.done);
      next.fn();
    }
    this.timers = this.timers.filter((t) => !t.done);
    this.current = target;
    await flushMicrotasks();
  }
}

export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
