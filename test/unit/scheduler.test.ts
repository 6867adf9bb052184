import { describe, expect, it } from 'vitest';
import { Scheduler, type QueueEntry, type ScheduledEntry } from '../../src/queue/scheduler.js';

let seq = 0;
function entry(jobId: string, userId: string, guildId = 'g1'): QueueEntry {
  return { jobId, guildId, userId, seq: ++seq };
}

function drain(s: Scheduler): string[] {
  const out: string[] = [];
  for (let e = s.next(); e; e = s.next()) {
    out.push(e.jobId);
    s.finish(e.jobId);
  }
  return out;
}

describe('Scheduler', () => {
  it('runs a guild round robin by member, not first come first served', () => {
    const s = new Scheduler({ maxConcurrent: 1, guildConcurrency: 1 });
    s.enqueue(entry('A1', 'a'));
    s.enqueue(entry('A2', 'a'));
    s.enqueue(entry('B1', 'b'));
    expect(s.waitingIds('g1')).toEqual(['A1', 'B1', 'A2']);
    expect(drain(s)).toEqual(['A1', 'B1', 'A2']);
  });

  it('lets a member who arrives late in before a busy member’s second job', () => {
    const s = new Scheduler({ maxConcurrent: 1, guildConcurrency: 1 });
    s.enqueue(entry('A1', 'a'));
    s.enqueue(entry('A2', 'a'));
    s.enqueue(entry('A3', 'a'));
    s.enqueue(entry('B1', 'b'));
    const first = s.next();
    expect(first?.jobId).toBe('A1');
    s.enqueue(entry('C1', 'c'));
    expect(s.waitingIds('g1')).toEqual(['B1', 'C1', 'A2', 'A3']);
    s.finish('A1');
    expect(drain(s)).toEqual(['B1', 'C1', 'A2', 'A3']);
  });

  it('keeps the order stable when the head starts: no job overtakes another', () => {
    const s = new Scheduler({ maxConcurrent: 1, guildConcurrency: 1 });
    s.enqueue(entry('A1', 'a'));
    s.enqueue(entry('A2', 'a'));
    s.enqueue(entry('B1', 'b'));
    s.enqueue(entry('B2', 'b'));
    expect(s.position('B1')).toBe(2);
    s.next();
    expect(s.position('B1')).toBe(1);
    expect(s.position('A2')).toBe(2);
    expect(s.position('B2')).toBe(3);
  });

  it('lets at most ten newcomers go ahead of a waiting job, however many keep arriving', () => {
    const s = new Scheduler({ maxConcurrent: 1, guildConcurrency: 1 });
    s.enqueue(entry('A1', 'a'));
    s.enqueue(entry('A2', 'a'));
    let running = s.next()!.jobId;
    const ran: string[] = [running];
    // One newcomer arrives every time a job finishes: without a bound A2 would never run.
    for (let n = 0; n < 30 && !ran.includes('A2'); n++) {
      s.enqueue(entry(`N${n}`, `newcomer-${n}`));
      s.finish(running);
      running = s.next()!.jobId;
      ran.push(running);
    }
    expect(ran).toContain('A2');
    expect(ran.indexOf('A2')).toBeLessThanOrEqual(1 + 10);
    // Round robin still holds among those who came before the bound closed in.
    expect(ran.slice(1, 11)).toEqual(Array.from({ length: 10 }, (_, n) => `N${n}`));
  });

  it('keeps the bound across members: a newcomer joins behind every job already overtaken as often as allowed', () => {
    const s = new Scheduler({ maxConcurrent: 1, guildConcurrency: 1, maxOvertakes: 2 });
    s.enqueue(entry('A1', 'a'));
    s.enqueue(entry('A2', 'a'));
    s.enqueue(entry('B1', 'b'));
    s.enqueue(entry('B2', 'b'));
    s.next();
    // B1 and C1 each went ahead of A2: from now on newcomers join behind it.
    s.enqueue(entry('C1', 'c'));
    s.enqueue(entry('D1', 'd'));
    s.enqueue(entry('E1', 'e'));
    expect(s.waitingIds('g1')).toEqual(['B1', 'C1', 'A2', 'B2', 'D1', 'E1']);
  });

  it('interleaves many members evenly', () => {
    const s = new Scheduler({ maxConcurrent: 1, guildConcurrency: 1 });
    for (const u of ['a', 'b', 'c']) for (let i = 1; i <= 3; i++) s.enqueue(entry(`${u}${i}`, u));
    expect(drain(s)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'c2', 'a3', 'b3', 'c3']);
  });

  it('takes guilds in turn when the process-wide cap binds', () => {
    const s = new Scheduler({ maxConcurrent: 1, guildConcurrency: 5 });
    for (let i = 1; i <= 3; i++) s.enqueue(entry(`x${i}`, `u${i}`, 'gx'));
    for (let i = 1; i <= 3; i++) s.enqueue(entry(`y${i}`, `u${i}`, 'gy'));
    s.enqueue(entry('z1', 'u1', 'gz'));
    expect(drain(s)).toEqual(['x1', 'y1', 'z1', 'x2', 'y2', 'x3', 'y3']);
  });

  it('never runs more than maxConcurrent at once, nor more than guildConcurrency per guild', () => {
    const s = new Scheduler({ maxConcurrent: 3, guildConcurrency: 2 });
    for (let i = 0; i < 5; i++) s.enqueue(entry(`a${i}`, `u${i}`, 'ga'));
    for (let i = 0; i < 5; i++) s.enqueue(entry(`b${i}`, `u${i}`, 'gb'));
    const started: ScheduledEntry[] = [];
    for (let e = s.next(); e; e = s.next()) started.push(e);
    expect(started.map((e) => e.jobId)).toEqual(['a0', 'b0', 'a1']);
    expect(s.runningCount()).toBe(3);
    s.finish('b0');
    expect(s.next()?.jobId).toBe('b1');
    expect(s.next()).toBeUndefined();
    s.finish('a0');
    // ga still runs a1 and is at its own cap of 2 only after starting a2
    expect(s.next()?.jobId).toBe('a2');
    expect(s.runningCount('ga')).toBe(2);
    expect(s.next()).toBeUndefined();
  });

  it('skips a guild at its cap and serves another guild', () => {
    const s = new Scheduler({ maxConcurrent: 5, guildConcurrency: 1 });
    s.enqueue(entry('a1', 'u', 'ga'));
    s.enqueue(entry('a2', 'v', 'ga'));
    s.enqueue(entry('b1', 'u', 'gb'));
    expect(s.next()?.jobId).toBe('a1');
    expect(s.next()?.jobId).toBe('b1');
    expect(s.next()).toBeUndefined();
    expect(s.waitingCount('ga')).toBe(1);
  });

  it('counts waiting and running jobs per member, and positions per guild', () => {
    const s = new Scheduler({ maxConcurrent: 1, guildConcurrency: 1 });
    s.enqueue(entry('A1', 'a'));
    s.enqueue(entry('A2', 'a'));
    s.enqueue(entry('B1', 'b'));
    s.enqueue(entry('C1', 'c', 'g2'));
    expect(s.pendingCount('g1', 'a')).toBe(2);
    expect(s.pendingCount('g2', 'a')).toBe(0);
    expect(s.position('C1')).toBe(1);
    s.next();
    expect(s.pendingCount('g1', 'a')).toBe(2);
    expect(s.position('A1')).toBeUndefined();
    expect(s.waitingCount('g1')).toBe(2);
    expect(s.waitingTotal()).toBe(3);
    s.finish('A1');
    expect(s.pendingCount('g1', 'a')).toBe(1);
  });

  it('removes a waiting job and closes the gap', () => {
    const s = new Scheduler({ maxConcurrent: 1, guildConcurrency: 1 });
    s.enqueue(entry('A1', 'a'));
    s.enqueue(entry('B1', 'b'));
    s.enqueue(entry('C1', 'c'));
    expect(s.remove('B1')).toBe(true);
    expect(s.remove('B1')).toBe(false);
    expect(s.position('C1')).toBe(2);
    expect(s.pendingCount('g1', 'b')).toBe(0);
    expect(drain(s)).toEqual(['A1', 'C1']);
  });

  it('refuses to schedule a job twice', () => {
    const s = new Scheduler({ maxConcurrent: 1, guildConcurrency: 1 });
    s.enqueue(entry('A1', 'a'));
    expect(() => s.enqueue(entry('A1', 'a'))).toThrow(/already scheduled/);
  });

  it('gives the same waiting order back when recovered entries are re-enqueued in seq order', () => {
    const s = new Scheduler({ maxConcurrent: 1, guildConcurrency: 1 });
    const persisted = new Map<string, ScheduledEntry>();
    const add = (e: QueueEntry) => persisted.set(e.jobId, s.enqueue(e));
    for (const [id, u] of [['A1', 'a'], ['A2', 'a'], ['A3', 'a'], ['B1', 'b'], ['B2', 'b']] as const) add(entry(id, u));
    const running = s.next()!;
    add(entry('C1', 'c'));
    const before = s.waitingIds('g1');
    expect(before).toEqual(['B1', 'C1', 'A2', 'B2', 'A3']);

    const fresh = new Scheduler({ maxConcurrent: 1, guildConcurrency: 1 });
    fresh.markRunning(running);
    const waiting = before.map((id) => persisted.get(id)!).sort((a, b) => a.seq - b.seq);
    for (const e of waiting) fresh.enqueue(e);
    expect(fresh.waitingIds('g1')).toEqual(before);
    // A newcomer lands where it would have landed before the restart.
    const d1 = entry('D1', 'd');
    s.enqueue({ ...d1 });
    fresh.enqueue({ ...d1 });
    expect(fresh.waitingIds('g1')).toEqual(s.waitingIds('g1'));
  });

  it('handles thousands of jobs across guilds with exact counts and fair order', () => {
    const s = new Scheduler({ maxConcurrent: 7, guildConcurrency: 2 });
    const guilds = 20;
    const members = 10;
    const perMember = 10;
    for (let j = 0; j < perMember; j++) {
      for (let g = 0; g < guilds; g++) {
        for (let m = 0; m < members; m++) s.enqueue(entry(`g${g}-m${m}-${j}`, `m${m}`, `g${g}`));
      }
    }
    expect(s.waitingTotal()).toBe(guilds * members * perMember);
    const seen = new Map<string, number[]>();
    let done = 0;
    const running: ScheduledEntry[] = [];
    for (;;) {
      for (let e = s.next(); e; e = s.next()) running.push(e);
      expect(s.runningCount()).toBeLessThanOrEqual(7);
      const finished = running.shift();
      if (!finished) break;
      s.finish(finished.jobId);
      done++;
      const key = `${finished.guildId}/${finished.userId}`;
      const list = seen.get(key) ?? [];
      list.push(Number(finished.jobId.split('-')[2]));
      seen.set(key, list);
    }
    expect(done).toBe(guilds * members * perMember);
    expect(s.waitingTotal()).toBe(0);
    expect(s.runningCount()).toBe(0);
    // Each member's jobs run in their own order.
    for (const list of seen.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
  });
});
