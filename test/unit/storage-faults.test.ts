import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/keyv-store.js';
import { StoreError } from '../../src/storage/store-error.js';
import { waitUntil } from '../harness/bot-process.js';
import { LogSink } from '../harness/log-sink.js';
import { RedisServer, hasRedisServer } from '../harness/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.js';
import { job, uniqueId } from './storage-backends.js';
import { freePort as deadPort } from '../harness/free-port.js';

const silent = pino({ level: 'silent' });
const fast = { connect: { attempts: 3, delayMs: 10 }, commandTimeoutMs: 500 };


/** Retries `fn` until it resolves: a store that came back may need a moment to reconnect. */
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

describe('a store that cannot be reached at start', () => {
  for (const scheme of ['redis', 'postgresql'] as const) {
    it(`${scheme}: retries a few times, saying so, then fails with one sentence naming the store without its password`, async () => {
      const port = await deadPort();
      const logs = new LogSink();
      const started = Date.now();
      const error = await openStore(`${scheme}://bot:s3cret@127.0.0.1:${port}/0`, pino({ level: 'info' }, logs), fast).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toBe(`cannot read the store at ${scheme}://127.0.0.1:${port}/0 (connection refused)`);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(logs.entries().map((e) => e.msg)).toEqual([
        'store not reachable, retrying in 10 ms (attempt 2 of 3)',
        'store not reachable, retrying in 10 ms (attempt 3 of 3)',
      ]);
      expect(logs.text).not.toContain('s3cret');
    });
  }

  it('a signal during a wait between attempts ends the start with its reason', async () => {
    const port = await deadPort();
    const stop = new AbortController();
    const notices: string[] = [];
    const opening = openStore(`redis://127.0.0.1:${port}`, silent, {
      connect: { attempts: 100, delayMs: 60_000 },
      notice: (line) => {
        notices.push(line);
        stop.abort(new Error('SIGTERM during start'));
      },
      signal: stop.signal,
    });
    await expect(opening).rejects.toThrow('SIGTERM during start');
    expect(notices).toEqual([
      `The store at redis://127.0.0.1:${port} is not reachable (connection refused); retrying in 60 s (attempt 2 of 100)`,
    ]);
  });

  it('an SQLite file that cannot be created fails at once, without retries', async () => {
    const logs = new LogSink();
    // Its folder would have to be inside a plain file.
    const file = join(mkdtempSync(join(tmpdir(), 'store-')), 'plain-file');
    writeFileSync(file, '');
    const error = await openStore(`sqlite://${file}/bot.sqlite`, pino({ level: 'info' }, logs), fast).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/^cannot read the store at sqlite:\/\/\S+\/plain-file\/bot\.sqlite \(.+\)$/);
    expect(logs.lines).toEqual([]);
  });
});

describe('SQLite faults', () => {
  it('a read or write the file refuses rejects instead of reading as missing or stored', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'store-')), 'bot.sqlite');
    const store = await openStore(`sqlite://${path}`, silent, fast);
    try {
      // Another program broke the file's table under the running bot.
      const { default: sqlite3 } = await import('sqlite3');
      const db = new sqlite3.Database(path);
      await new Promise<void>((resolve, reject) => db.run('DROP TABLE keyv', (err) => (err ? reject(err) : resolve())));
      await new Promise<void>((resolve) => db.close(() => resolve()));
      await expect(store.getJob(uniqueId('x'))).rejects.toThrow(/no such table/);
      await expect(store.setMeta('m', 1)).rejects.toThrow(/no such table/);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!process.env.TEST_REDIS_URL || !hasRedisServer)(
  process.env.TEST_REDIS_URL && hasRedisServer
    ? 'Redis faults on a real server'
    : 'Redis faults on a real server (skipped: needs TEST_REDIS_URL and redis-server on PATH)',
  () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await RedisServer.start();
    });
    afterAll(async () => {
      await redis.close();
    });

    it('a write refused for lack of memory rejects instead of reading as stored', async () => {
      const store = await openStore(`${redis.url}/1`, silent, fast);
      try {
        redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
        redis.cli('CONFIG', 'SET', 'maxmemory', '1');
        const id = uniqueId('oom');
        await expect(store.saveJob(job(id, 'queued'))).rejects.toThrow(/OOM/);
        await expect(store.setMeta('m', 1)).rejects.toThrow(/OOM/);
        redis.cli('CONFIG', 'SET', 'maxmemory', '0');
        await store.saveJob(job(id, 'queued'));
        expect((await store.getJob(id))?.state).toBe('queued');
      } finally {
        redis.cli('CONFIG', 'SET', 'maxmemory', '0');
        await store.close();
      }
    });

    it('a read that fails rejects instead of reading as missing', async () => {
      const store = await openStore(`${redis.url}/2`, silent, fast);
      try {
        const id = uniqueId('wrongtype');
        redis.cli('-n', '2', 'RPUSH', `bot::bot:job:${id}`, 'not a string');
        await expect(store.getJob(id)).rejects.toThrow(/WRONGTYPE/);
      } finally {
        await store.close();
      }
    });

    it('an index that cannot be read at start fails the start instead of reading as empty', async () => {
      const owner = uniqueId('index');
      redis.cli('-n', '3', 'RPUSH', `bot::bot:jobs:active:${owner}`, 'not a string');
      const error = await openStore(`${redis.url}/3`, silent, { ...fast, owner }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(new RegExp(`^cannot read the store at ${redis.url}/3 \\(WRONGTYPE`));
    });

    it('with Redis stopped mid-run, calls reject within the timeout, and work again once it is back', async () => {
      const logs = new LogSink();
      const store = await openStore(`${redis.url}/4`, pino({ level: 'info' }, logs), fast);
      try {
        await redis.stop();
        const id = uniqueId('outage');
        const started = Date.now();
        await expect(store.saveJob(job(id, 'queued'))).rejects.toThrow();
        await expect(store.getJob(id)).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(3_000);
        expect(logs.find('store connection lost; reconnecting')).toHaveLength(1);

        await redis.resume();
        await eventually(() => store.saveJob(job(id, 'running')));
        expect((await store.getJob(id))?.state).toBe('running');
        await waitUntil(() => logs.find('store connection back').length === 1, { description: 'the recovery logged' });
        expect(logs.find('store connection lost; reconnecting')).toHaveLength(1);
      } finally {
        await store.close();
      }
    });

    it('a Redis that starts while the bot is retrying is opened', async () => {
      await redis.stop();
      const logs = new LogSink();
      const opening = openStore(`${redis.url}/5`, pino({ level: 'info' }, logs), { connect: { attempts: 50, delayMs: 100 } });
      await waitUntil(() => logs.lines.length > 0, { description: 'the first retry logged' });
      await redis.resume();
      const store = await opening;
      await store.setMeta('up', true);
      expect(await store.getMeta('up')).toBe(true);
      await store.close();
    });

    it('warns once at start when Redis may evict keys, and not when it may not', async () => {
      const open = async () => {
        const logs = new LogSink();
        const store = await openStore(`${redis.url}/6`, pino({ level: 'info' }, logs), fast);
        await store.close();
        return logs.entries().filter((e) => e.level === 40).map((e) => e.msg);
      };
      try {
        // Snapshots on: only the eviction is in question here.
        redis.cli('CONFIG', 'SET', 'save', '3600 1');
        redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
        expect(await open()).toEqual([
          `Redis at ${redis.url}/6 evicts keys when memory runs out (maxmemory-policy allkeys-lru): jobs can vanish; ` +
            'set maxmemory-policy noeviction (and appendonly yes) for the bot',
        ]);
        redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
        expect(await open()).toEqual([]);
      } finally {
        redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
        redis.cli('CONFIG', 'SET', 'save', '');
      }
    });

    it('warns once at start when Redis keeps nothing on disk, naming the setting; not once it snapshots or logs', async () => {
      const open = async () => {
        const logs = new LogSink();
        const store = await openStore(`${redis.url}/6`, pino({ level: 'info' }, logs), fast);
        await store.close();
        return logs.entries().filter((e) => e.level === 40).map((e) => e.msg);
      };
      // The test's own server starts with `--save '' --appendonly no`: a restart of it loses every job.
      try {
        expect(await open()).toEqual([
          `Redis at ${redis.url}/6 keeps nothing on disk (appendonly no, no save): a restart of Redis loses every job; ` +
            'set appendonly yes (appendfsync everysec or always) for the bot',
        ]);
        redis.cli('CONFIG', 'SET', 'save', '3600 1');
        expect(await open()).toEqual([]);
        redis.cli('CONFIG', 'SET', 'save', '');
        redis.cli('CONFIG', 'SET', 'appendonly', 'yes');
        expect(await open()).toEqual([]);
      } finally {
        redis.cli('CONFIG', 'SET', 'appendonly', 'no');
        redis.cli('CONFIG', 'SET', 'save', '');
      }
    });
  },
);

const postgresUrl = process.env.TEST_POSTGRES_URL;
describe.skipIf(!postgresUrl)(
  postgresUrl ? 'PostgreSQL faults on a real server' : 'PostgreSQL faults on a real server (skipped: TEST_POSTGRES_URL is not set)',
  () => {
    let proxy: TcpProxy;
    let store: Store | undefined;
    beforeAll(async () => {
      const target = new URL(postgresUrl!);
      proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    });
    afterAll(async () => {
      await store?.close();
      await proxy.close();
    });

    it('with PostgreSQL gone mid-run, calls reject within the timeout, the process survives, and it works once back', async () => {
      const target = new URL(postgresUrl!);
      target.host = `127.0.0.1:${proxy.port}`;
      const logs = new LogSink();
      store = await openStore(target.toString(), pino({ level: 'info' }, logs), { ...fast, owner: uniqueId('main') });
      const id = uniqueId('pg-outage');
      await store.saveJob(job(id, 'queued'));

      // Idle pooled connections drop (an unheard 'error' on them would end the process) and new ones fail.
      proxy.cut();
      const started = Date.now();
      await expect(store.saveJob(job(id, 'running'))).rejects.toThrow();
      await expect(store.getJob(id)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(3_000);

      proxy.restore();
      await eventually(() => store!.saveJob(job(id, 'running')));
      expect((await store.getJob(id))?.state).toBe('running');
    });

    it('a connection the server terminates (as on a restart) does not end the process', async () => {
      const name = uniqueId('terminated');
      const url = new URL(postgresUrl!);
      url.searchParams.set('application_name', name);
      const logs = new LogSink();
      const victim = await openStore(url.toString(), pino({ level: 'info' }, logs), { ...fast, owner: uniqueId('main') });
      try {
        await victim.setMeta('before', 1);
        // The same message a server shutdown sends its clients: 57P01 "terminating connection due to administrator command".
        await terminate(name);
        await waitUntil(() => logs.find('store connection lost; reconnecting').length === 1, {
          description: 'the dropped connection noticed',
        });
        await eventually(() => victim.setMeta('after', 2));
        expect(await victim.getMeta('after')).toBe(2);
      } finally {
        await victim.close();
      }
    });
  },
);

async function terminate(applicationName: string): Promise<void> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: postgresUrl });
  try {
    await pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
  } finally {
    await pool.end();
  }
}
