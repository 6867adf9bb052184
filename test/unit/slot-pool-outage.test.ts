import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { SlotDemand, SlotStore, TokenTake } from '../../src/storage/backend.js';
import { createSlotPool } from '../../src/storage/slot-pool.js';
import { createRequestBudget } from '../../src/replicate/request-budget.js';
import { LogSink } from '../harness/log-sink.js';
import { ManualClock } from '../harness/test-clock.js';

/** The store's slot table in memory, on the test's clock; `down` makes every call reject as a lost connection would. */
function memorySlots(clock: ManualClock) {
  const slots = new Map<number, { holder: string; expiresAt: number }>();
  const demands = new Map<string, SlotDemand & { expiresAt: number }>();
  const state = { down: false };
  const check = () => {
    if (state.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
  };
  const store: SlotStore = {
    async take({ holder, cap, ttlMs, count }) {
      check();
      const taken: number[] = [];
      for (let i = 0; i < cap && taken.length < count; i++) {
        const slot = slots.get(i);
        if (slot && slot.expiresAt > clock.now()) continue;
        slots.set(i, { holder, expiresAt: clock.now() + ttlMs });
        taken.push(i);
      }
      return taken;
    },
    async renew({ holder, cap, ttlMs }) {
      check();
      const held = [...slots].filter(([i, s]) => i < cap && s.holder === holder).map(([i]) => i);
      for (const i of held) slots.get(i)!.expiresAt = clock.now() + ttlMs;
      return held;
    },
    async release(_pool, holder, numbers) {
      check();
      for (const i of numbers) if (slots.get(i)?.holder === holder) slots.delete(i);
    },
    async reportDemand({ holder, want, held, ttlMs, now }) {
      check();
      demands.set(holder, { holder, want, held, expiresAt: now + ttlMs });
      return [...demands.values()].filter((d) => d.expiresAt > now).map(({ holder: h, want: w, held: x }) => ({ holder: h, want: w, held: x }));
    },
  };
  return { store, state };
}

describe('account-wide limits while the store is away', () => {
  it('running predictions keep their slots, no new one starts once the lease is out of date, and all resumes when the store is back', async () => {
    const clock = new ManualClock();
    const logs = new LogSink();
    const { store, state } = memorySlots(clock);
    const pool = createSlotPool({ slots: store, cap: 3, holder: 'main', clock, log: pino({ level: 'info' }, logs), ttlMs: 30_000 });
    let ready = 3;
    let freed = 0;
    pool.attach(() => ready, () => freed++);
    await pool.start();
    expect(pool.free()).toBe(3);
    pool.use('a');
    ready = 2;

    state.down = true;
    await clock.advance(10_000);
    expect(logs.find('prediction slots not reachable; running predictions carry on, new ones wait')).toHaveLength(1);
    expect(pool.free()).toBe(2); // the lease is still good for a while
    await clock.advance(25_000);
    expect(pool.free()).toBe(0);
    pool.release('a'); // a prediction ending during the outage throws nothing
    expect(pool.free()).toBe(0);

    state.down = false;
    await clock.advance(1_000);
    expect(logs.find('prediction slots reachable again')).toHaveLength(1);
    expect(pool.free()).toBe(3);
    expect(freed).toBeGreaterThan(0);
    await pool.stop();
  });

  it('the request budget lets a quarter of a window through per process while the store is away, and never fails a request', async () => {
    const clock = new ManualClock();
    const logs = new LogSink();
    let down = true;
    const takeTokens = async ({ count }: TokenTake) => {
      if (down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return count;
    };
    const budget = createRequestBudget({ takeTokens, clock, log: pino({ level: 'info' }, logs) });
    let sent = 0;
    const all = Array.from({ length: 200 }, () => budget.take('other').then(() => sent++));
    await clock.advance(1);
    expect(sent).toBe(56); // a quarter of the window's 225
    expect(logs.find('request budget not reachable; using a local share meanwhile')).toHaveLength(1);
    down = false;
    await clock.advance(5_000);
    await Promise.all(all);
    expect(sent).toBe(200);
    expect(logs.find('request budget reachable again')).toHaveLength(1);
  });
});
