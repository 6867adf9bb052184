import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { createHealthCheck, type ShardStatus } from '../../src/ops/health.js';
import { startHttpServer, type HttpServer } from '../../src/ops/http-server.js';

const log = createLogger({ level: 'silent', secrets: [] });

describe('the health check', () => {
  let server: HttpServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  const serve = async (shards: () => ShardStatus[], pingStore: () => Promise<unknown>) => {
    const health = createHealthCheck({ shards, pingStore, clock: systemClock, log, storeTimeoutMs: 200 });
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
    expect(await get()).toMatchObject({ status: 503, body: { failing: ['gateway', 'store'], store: { ok: false, error: 'error' } } });
    shards = [{ id: 0, status: 0, ping: 41 }, { id: 1, status: 0, ping: 40 }];
    storeUp = true;
    expect(await get()).toMatchObject({ status: 200, body: { status: 'ok', failing: [], gateway: { connected: true } } });
  });

  it('answers HEAD like GET and refuses other methods with 405', async () => {
    const get = await serve(() => [{ id: 0, status: 0, ping: 1 }], () => Promise.resolve(undefined));
    expect((await get('HEAD')).status).toBe(200);
    expect((await get('POST')).status).toBe(405);
  });
});
