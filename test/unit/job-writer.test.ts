import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { createJobWriter } from '../../src/queue/job-writer.js';
import { MemoryStore } from '../harness/memory-store.js';
import { draft } from './queue-doubles.js';

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
    const writer = createJobWriter(store);
    const first = writer.save(job('queued'));
    const second = writer.save(job('starting'));
    await Promise.resolve();
    store.releases.forEach((release) => release());
    await Promise.all([first, second]);
    expect(store.peek('j1')?.state).toBe('starting');
  });

  it('does not hold one job’s writes behind another’s', async () => {
    const store = new SlowFirstStore();
    const writer = createJobWriter(store);
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

  it('carries on after a failed save, and flush waits for everything issued', async () => {
    const store = new MemoryStore();
    const writer = createJobWriter(store);
    store.failSaves = true;
    await expect(writer.save(job('queued'))).rejects.toThrow('store unavailable');
    store.failSaves = false;
    void writer.save(job('starting'));
    await writer.flush();
    expect(store.peek('j1')?.state).toBe('starting');
  });
});
