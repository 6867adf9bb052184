import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Clock, Timer } from '../../src/clock.js';
import type { LeaseHolder } from '../../src/storage/backend.js';
import { openBackend, openStore, type OpenStoreOptions } from '../../src/storage/keyv-store.js';
import { redactUrl } from '../../src/storage/store-error.js';
import { LogSink } from '../harness/log-sink.js';
import { job, testBackends, uniqueId } from './storage-backends.js';

const silent = pino({ level: 'silent' });
const noticeLoss = () => undefined;

/** Real time, but renewal timers fire only when the test says so. */
class HandClock implements Clock {
  private timers: (() => void)[] = [];
  now = () => Date.now();
  setTimer(_ms: number, fn: () => void): Timer {
    this.timers.push(fn);
    return { cancel: () => (this.timers = this.timers.filter((t) => t !== fn)) };
  }
  sleep(): Promise<void> {
    return Promise.resolve();
  }
  fire(): void {
    const due = this.timers;
    this.timers = [];
    for (const fn of due) fn();
  }
}

/** The lease a process left in the store, written the way its own store wrote it. */
async function leaveLease(url: string, owner: string, holder: LeaseHolder, ttlMs: number): Promise<void> {
  const backend = await openBackend(url, silent);
  try {
    const state = await backend.claimLease({ owner, me: holder, ttlMs });
    expect(state.holder).toEqual(holder);
  } finally {
    await backend.close();
  }
}

/** The pid of a process that ran on this host and exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

for (const backend of testBackends(8)) {
  describe.skipIf(backend.skip)(`${backend.title}: owner lease`, () => {
    const leased = (owner: string, extra: OpenStoreOptions = {}): OpenStoreOptions => ({
      owner,
      lease: { onLost: noticeLoss },
      ...extra,
    });

    it('a second process with the same owner refuses to start, naming the owner and where the holder runs', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const first = await openStore(url, silent, leased(owner));
      try {
        const refused = await openStore(url, silent, leased(owner)).catch((err: unknown) => err);
        expect((refused as Error).message).toMatch(
          new RegExp(
            `^another bot process already runs as '${owner}' on the store at ${escape(redactUrl(url))} ` +
              `\\(pid ${process.pid} on host ${escape(hostname())}\\); stop it first, or if it crashed, start again in (29|30) s$`,
          ),
        );
        // Another owner (another shard) is not in the way.
        const other = await openStore(url, silent, leased(uniqueId('shard-1')));
        await other.close();
      } finally {
        await first.close();
      }
    });

    it('a graceful close releases the lease at once', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const first = await openStore(url, silent, leased(owner));
      await first.close();
      const second = await openStore(url, silent, leased(owner));
      await second.close();
    });

    it('a crashed holder on this host (its pid gone) is taken over at once', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const crashed = { holder: uniqueId('crashed'), host: hostname(), pid: await deadPid() };
      await leaveLease(url, owner, crashed, 30_000);
      const logs = new LogSink();
      const store = await openStore(url, pino({ level: 'info' }, logs), leased(owner));
      expect(logs.find('taking over the lease of a bot process that is gone')).toMatchObject([
        { owner, host: hostname(), pid: crashed.pid },
      ]);
      await store.close();
    });

    it('a holder on another host keeps the lease until it expires, then it is taken over', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      await leaveLease(url, owner, { holder: uniqueId('elsewhere'), host: 'other-host', pid: process.pid }, 1_500);
      const refused = await openStore(url, silent, leased(owner)).catch((err: unknown) => err);
      expect((refused as Error).message).toMatch(/\(pid \d+ on host other-host\); stop it first, or if it crashed, start again in [12] s$/);
      const store = await eventually(() => openStore(url, silent, leased(owner)));
      await store.close();
    });

    it('a holder whose lease another process took over is told at its next renewal, and leaves the new lease alone', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const clock = new HandClock();
      const lost: LeaseHolder[] = [];
      const logs = new LogSink();
      const paused = await openStore(url, pino({ level: 'info' }, logs), {
        owner,
        clock,
        lease: { ttlMs: 300, onLost: (holder) => lost.push(holder) },
      });
      // The holder stops renewing (paused, or cut off from the store) past its TTL; a new process takes over.
      const successor = await eventually(() => openStore(url, silent, leased(owner)));
      clock.fire();
      await eventually(async () => expect(lost).toHaveLength(1));
      expect(lost[0]).toMatchObject({ host: hostname(), pid: process.pid });
      expect(logs.find('another bot process took over the store lease')).toHaveLength(1);

      await paused.close();
      const third = await openStore(url, silent, leased(owner)).catch((err: unknown) => err);
      expect((third as Error).message).toMatch(/^another bot process already runs as/);
      await successor.close();
    });

    it('every grant of the lease carries a larger fencing token than any before it; a renewal keeps its token', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const store = await openBackend(url, silent);
      try {
        const a = { holder: uniqueId('a'), host: hostname(), pid: process.pid };
        const b = { holder: uniqueId('b'), host: 'other-host', pid: 4242 };
        const first = await store.claimLease({ owner, me: a, ttlMs: 30_000 });
        expect(first.token).toBeGreaterThan(0);
        expect((await store.claimLease({ owner, me: a, ttlMs: 30_000 })).token).toBe(first.token);
        // Someone else's claim of a live lease gets no token.
        const refused = await store.claimLease({ owner, me: b, ttlMs: 30_000 });
        expect(refused.holder).toEqual(a);
        expect(refused.token).toBeUndefined();
        // Released and taken by another: a larger token; released again and taken back: larger still (never reset).
        await store.releaseLease(owner, a);
        const second = await store.claimLease({ owner, me: b, ttlMs: 30_000 });
        expect(second.token).toBeGreaterThan(first.token!);
        const third = await store.claimLease({ owner, me: a, ttlMs: 30_000, replacing: b });
        expect(third.token).toBeGreaterThan(second.token!);
      } finally {
        await store.close();
      }
    });

    it('a process whose clock runs 60 s ahead does not take a live lease: expiry is decided by the store', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const running = await openStore(url, silent, leased(owner));
      try {
        const ahead = new HandClock();
        ahead.now = () => Date.now() + 60_000;
        const refused = await openStore(url, silent, leased(owner, { clock: ahead })).catch((err: unknown) => err);
        expect((refused as Error).message).toMatch(/^another bot process already runs as/);
      } finally {
        await running.close();
      }
    });

    it('a holder whose lease another process took over has every write refused, and learns it lost the lease', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const [j1, j2, usage] = [uniqueId('j1'), uniqueId('j2'), uniqueId('usage:g')];
      const lost: LeaseHolder[] = [];
      const paused = await openStore(url, silent, {
        owner,
        clock: new HandClock(),
        lease: { ttlMs: 300, onLost: (holder) => lost.push(holder) },
      });
      // Paused past its TTL: a successor takes over and runs the job on.
      const successor = await eventually(() => openStore(url, silent, leased(owner)));
      try {
        await successor.saveJob(job(j1, 'running'));
        // The paused holder resumes and writes what it knew before the pause: all refused, as `fenced`.
        const refusals = await Promise.all([
          paused.saveJob(job(j1, 'queued')).catch((err: unknown) => err),
          paused.saveJob(job(j2, 'queued')).catch((err: unknown) => err),
          paused.setMeta(usage, []).catch((err: unknown) => err),
          paused.saveImage(j1, Buffer.from('stale')).catch((err: unknown) => err),
          paused.deleteImage(j1).catch((err: unknown) => err),
        ]);
        for (const refusal of refusals) expect(refusal).toMatchObject({ name: 'StoreError', kind: 'fenced' });
        await eventually(async () => expect(lost).toHaveLength(1));
        expect((await successor.getJob(j1))?.state).toBe('running');
        expect(await successor.getJob(j2)).toBeUndefined();
        expect(await successor.getMeta(usage)).toBeUndefined();
        expect(await successor.loadImage(j1)).toBeUndefined();
      } finally {
        await paused.close();
        await successor.close();
      }
      // The active index is the successor's: a restart finds its job.
      const restarted = await openStore(url, silent, leased(owner));
      expect((await restarted.listActiveJobs()).map((j) => [j.id, j.state])).toEqual([[j1, 'running']]);
      await restarted.close();
    });

    it('Discord and Replicate are let through only under a recently confirmed lease: a holder paused past it asks the store first, and learns it lost', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const lost: LeaseHolder[] = [];
      const clock = new HandClock();
      const paused = await openStore(url, silent, { owner, clock, lease: { ttlMs: 300, onLost: (holder) => lost.push(holder) } });
      // Just confirmed: let through at once.
      await paused.fresh();
      const successor = await eventually(() => openStore(url, silent, leased(owner)));
      try {
        // Its last confirmation is older than half the TTL now: it asks the store, which names another holder.
        await expect(paused.fresh()).rejects.toMatchObject({ name: 'StoreError', kind: 'fenced' });
        expect(lost).toHaveLength(1);
        await expect(paused.fresh()).rejects.toMatchObject({ kind: 'fenced' });
        await successor.fresh();
      } finally {
        await paused.close();
        await successor.close();
      }
    });

    it('a holder whose lease is confirmed again after a pause carries on', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const clock = new HandClock();
      const store = await openStore(url, silent, { owner, clock, lease: { ttlMs: 2_000, onLost: noticeLoss } });
      try {
        // The renewal timer never fired for longer than half the TTL (a short pause); nobody took over.
        const pausedUntil = Date.now() + 1_100;
        await eventually(async () => expect(Date.now()).toBeGreaterThan(pausedUntil));
        await store.fresh();
        await store.saveJob(job(uniqueId('j'), 'queued'));
      } finally {
        await store.close();
      }
    });

    it('opening without a lease (a look at the store) never waits for one nor takes it', async () => {
      const url = backend.url();
      const owner = uniqueId('main');
      const running = await openStore(url, silent, leased(owner));
      const look = await openStore(url, silent, { owner });
      await look.close();
      const refused = await openStore(url, silent, leased(owner)).catch((err: unknown) => err);
      expect((refused as Error).message).toMatch(/^another bot process already runs as/);
      await running.close();
    });
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
