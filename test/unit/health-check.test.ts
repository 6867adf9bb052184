import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createHealthCheck, type ShardStatus } from '../../src/ops/health.js';
import { startHttpServer, type HttpServer } from '../../src/ops/http-server.js';
import { ManualClock } from '../harness/test-clock.js';

const log = createLogger({ level: 'silent', secrets: [] });

describe('the health check', () => {
  let server: HttpServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  const clock = new ManualClock();
  const serve = async (shards: () => ShardStatus[], pingStore: () => Promise<unknown>) => {
    const health = createHealthCheck({ shards, pingStore, clock, log, storeTimeoutMs: 200 });
    server = await startHttpServer({ port: 0, host: '127.0.0.1', routes: { '/healthz': health.route }, log });
    return async (method = 'GET') => {
      const res = await fetch(`http://127.0.0.1:${server!.port}/healthz`, { method });
      return { status: res.status, body: method === 'GET' ? (JSON.parse(await res.text()) as Record<string, unknown>) : {} };
    };
  };

  it('names the gateway while a shard is not ready (or none connected yet), and both parts when both fail', async () => {
    let shards: ShardStatus[] = [];
    let storeUp = true;
    const get = await serve(
      () => shards,
      () => (storeUp ? Promise.resolve(undefined) : Promise.reject(new Error('ECONNREFUSED'))),
    );
    expect(await get()).toMatchObject({ status: 503, body: { status: 'failing', failing: ['gateway'] } });
    shards = [{ id: 0, status: 0, ping: 41 }, { id: 1, status: 5, ping: -1 }];
    expect(await get()).toMatchObject({ status: 503, body: { failing: ['gateway'], gateway: { connected: false, shards } } });
    storeUp = false;
    await clock.advance(1_000);
    expect(await get()).toMatchObject({ status: 503, body: { failing: ['gateway', 'store'], store: { ok: false, error: 'error' } } });
    shards = [{ id: 0, status: 0, ping: 41 }, { id: 1, status: 0, ping: 40 }];
    storeUp = true;
    await clock.advance(1_000);
    expect(await get()).toMatchObject({ status: 200, body: { status: 'ok', failing: [], gateway: { connected: true } } });
  });

  it('answers HEAD like GET and refuses other methods with 405', async () => {
    const get = await serve(() => [{ id: 0, status: 0, ping: 1 }], () => Promise.resolve(undefined));
    expect((await get('HEAD')).status).toBe(200);
    expect((await get('POST')).status).toBe(405);
  });

  it('costs the store at most one read a second however many probes: 1,000 /healthz requests, one read', async () => {
    const clock = new ManualClock();
    let reads = 0;
    let storeUp = true;
    const health = createHealthCheck({
      shards: () => [{ id: 0, status: 0, ping: 1 }],
      pingStore: () => (reads++, storeUp ? Promise.resolve(undefined) : Promise.reject(new Error('down'))),
      clock,
      log,
    });
    server = await startHttpServer({ port: 0, host: '127.0.0.1', routes: { '/healthz': health.route }, log });
    const get = async () => (await fetch(`http://127.0.0.1:${server!.port}/healthz`)).status;
    for (let batch = 0; batch < 10; batch++) {
      expect(await Promise.all(Array.from({ length: 100 }, get))).toEqual(Array(100).fill(200));
    }
    expect(reads).toBe(1);

    // A second later the next probe reads again, and sees what changed.
    storeUp = false;
    expect(await get()).toBe(200);
    await clock.advance(1_000);
    expect(await get()).toBe(503);
    expect(await Promise.all(Array.from({ length: 100 }, get))).toEqual(Array(100).fill(503));
    expect(reads).toBe(2);
  });
});
