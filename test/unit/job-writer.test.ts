import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { createJobWriter } from '../../src/queue/job-writer.js';
import { MemoryStore } from '../harness/memory-store.js';
import { ManualClock } from '../harness/test-clock.js';
import { captureLog, draft } from './queue-doubles.js';

function writerFor(store: MemoryStore, clock = new ManualClock(), stopper = new AbortController()) {
  const { log, lines } = captureLog();
  return { writer: createJobWriter(store, { clock, log, signal: stopper.signal }), clock, stopper, lines };
}

function job(state: Job['state'], id = 'j1'): Job {
  const d = draft('g1', 'u1');
  return { id, guildId: 'g1', userId: 'u1', seq: 1, state, request: d.request, seconds: 5, reply: d.reply, createdAt: 0, updatedAt: 0 };
}

/** A store whose first save of each job is slow: without the per-job chain the older state would land last. */
class SlowFirstStore extends MemoryStore {
  private seen = new Set<string>();
  readonly releases: (() => void)[] = [];
  override async saveJob(j: Job): Promise<void> {
    if (!this.seen.has(j.id)) {
      this.seen.add(j.id);
      await new Promise<void>((resolve) => this.releases.push(resolve));
    }
    return super.saveJob(j);
  }
}

describe('job writer', () => {
  it('keeps the last decided state when an earlier save of the same job is slower', async () => {
    const store = new SlowFirstStore();
    const { writer } = writerFor(store);
    const first = writer.save(job('queued'));
    const second = writer.save(job('starting'));
    await Promise.resolve();
    store.releases.forEach((release) => release());
    await Promise.all([first, second]);
    expect(store.peek('j1')?.state).toBe('starting');
  });

  it('does not hold one job’s writes behind another’s', async () => {
    const store = new SlowFirstStore();
    const { writer } = writerFor(store);
    void writer.save(job('queued', 'slow'));
    await new Promise((resolve) => setImmediate(resolve));
    store.releases.length = 0;
    const other = writer.save(job('queued', 'other'));
    // `other` is its own first save, so it is slow too: release only it.
    await new Promise((resolve) => setImmediate(resolve));
    store.releases.forEach((release) => release());
    await other;
    expect(store.peek('other')?.state).toBe('queued');
    expect(store.peek('slow')).toBeUndefined();
  });

  it('retries a refused write with growing waits until the store takes it, and only then resolves', async () => {
    const store = new MemoryStore();
    const { writer, clock, lines } = writerFor(store);
    store.failSaves = true;
    let durable = false;
    const saved = writer.save(job('running')).then(() => (durable = true));
    await clock.advance(60_000);
    expect(durable).toBe(false);
    expect(store.peek('j1')).toBeUndefined();
    const waits = lines.filter((l) => l.msg === 'job write failed, retrying').map((l) => l.delayMs as number);
    expect(waits.slice(0, 3)).toEqual([250, 500, 1000]);
    expect(Math.max(...waits)).toBeLessThanOrEqual(30_000);
    store.failSaves = false;
    await clock.advance(30_000);
    await saved;
    expect(store.peek('j1')?.state).toBe('running');
    expect(lines.filter((l) => l.msg === 'job write went through')).toHaveLength(1);
  });

  it('tells the waiting acknowledgement at once when the store fences the first write off (another process holds the lease)', async () => {
    // Without it, /video waits out its 750 ms and defers: the member is left on "is thinking…" for a job no process
    // will ever store; told, it refuses ("try again in a minute") instead.
    const store = new (class extends MemoryStore {
      override async saveJob(): Promise<void> {
        throw Object.assign(new Error("the store refused a write of 'main': another bot process holds its lease now"), { kind: 'fenced' });
      }
    })();
    const { writer } = writerFor(store);
    let refused = 0;
    await expect(writer.save(job('queued'), () => refused++)).rejects.toMatchObject({ kind: 'fenced' });
    expect(refused).toBe(1);
  });

  it('keeps the order of one job’s writes while an earlier one is being retried', async () => {
    const store = new MemoryStore();
    const { writer, clock } = writerFor(store);
    store.failSaves = true;
    void writer.save(job('running'));
    const later = writer.save(job('delivering'));
    await clock.advance(1_000);
    store.failSaves = false;
    await clock.advance(2_000);
    await later;
    expect(store.peek('j1')?.state).toBe('delivering');
  });

  it('stops retrying on stop: the save rejects with the stop reason and flush settles', async () => {
    const store = new MemoryStore();
    const { writer, clock, stopper } = writerFor(store);
    store.failSaves = true;
    const saved = writer.save(job('queued'));
    await clock.advance(1_000);
    stopper.abort(new Error('queue stopping'));
    await expect(saved).rejects.toThrow('queue stopping');
    await writer.flush();
    expect(store.peek('j1')).toBeUndefined();
  });
});
