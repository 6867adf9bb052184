import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/queue/scheduler.js';

const entry = (jobId: string, guildId: string, seq: number) => ({ jobId, guildId, userId: `u-${jobId}`, seq });

describe('the scheduler under the account-wide slots', () => {
  it('starts nothing while no slot is free, and starts the next in line once one is', () => {
    let free = 0;
    const scheduler = new Scheduler({ maxConcurrent: 4, guildConcurrency: 2, canStart: () => free > 0 });
    scheduler.enqueue(entry('a', 'g1', 1));
    scheduler.enqueue(entry('b', 'g2', 2));
    expect(scheduler.next()).toBeUndefined();
    free = 1;
    expect(scheduler.next()?.jobId).toBe('a');
    free = 0;
    expect(scheduler.next()).toBeUndefined();
    expect(scheduler.isWaiting('b')).toBe(true);
  });

  it('counts as ready only the waiting jobs their guild and the process could start now', () => {
    const scheduler = new Scheduler({ maxConcurrent: 3, guildConcurrency: 1 });
    for (let i = 0; i < 5; i++) scheduler.enqueue(entry(`g1-${i}`, 'g1', i));
    scheduler.enqueue(entry('g2-0', 'g2', 10));
    expect(scheduler.readyCount()).toBe(2);
    scheduler.next();
    expect(scheduler.readyCount()).toBe(1);
    scheduler.markRunning(entry('r1', 'g3', 20));
    scheduler.markRunning(entry('r2', 'g4', 21));
    expect(scheduler.readyCount()).toBe(0);
  });
});
