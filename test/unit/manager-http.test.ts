import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { IpcPeer } from '../../src/sharding/ipc.js';
import { createManagerRoutes, type ForwardedWebhook, type ManagerHttpOptions } from '../../src/sharding/manager-http.js';
import { postWhole } from '../harness/post-whole.js';
import { ManualClock } from '../harness/test-clock.js';

/** A shard on the other end of the IPC channel: answers each question with `handlers[kind]` (none: silence). */
function shardPeer(handlers: Record<string, (payload: unknown) => unknown>): IpcPeer {
  const listeners = new Set<(message: unknown) => void>();
  return {
    send(message) {
      const { videobotAsk, kind, payload } = message as { videobotAsk: number; kind: string; payload: unknown };
      const handler = handlers[kind];
      if (!handler) return true;
      void Promise.resolve(handler(payload)).then((result) => {
        for (const listen of [...listeners]) listen({ videobotAnswer: videobotAsk, result });
      });
      return true;
    },
    on: (_event, listener) => listeners.add(listener),
    off: (_event, listener) => listeners.delete(listener),
  };
}

async function metricsOf(jobs: number) {
  const registry = new Registry();
  const counter = new Counter({ name: 'videobot_jobs_accepted_total', help: 'jobs accepted', registers: [registry] });
  counter.inc(jobs);
  return registry.getMetricsAsJSON();
}

const servers: Server[] = [];
afterEach(() =>
  Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    }),
  ),
);

async function serve(
  shards: Map<number, IpcPeer>,
  expected = [...shards.keys()],
  more: Partial<ManagerHttpOptions> = {},
): Promise<string> {
  const routes = createManagerRoutes({ shards: () => shards, expected, log: pino({ level: 'silent' }), askTimeoutMs: 300, ...more });
  const server = createServer((req, res) => {
    const route = Object.entries(routes).find(([prefix]) => req.url?.startsWith(prefix))?.[1];
    if (route) void route(req, res);
    else res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("the sharding manager's HTTP endpoints", () => {
  it('/healthz is 200 when every shard is healthy and 503 naming the shard and part that fail, silent ones included', async () => {
    const healthy = () => ({ status: 'ok' });
    const base = await serve(new Map([[0, shardPeer({ health: healthy })], [1, shardPeer({ health: healthy })]]));
    const ok = await fetch(`${base}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', shards: [{ id: 0, status: 'ok' }, { id: 1, status: 'ok' }] });

    const failing = await serve(
      new Map([[0, shardPeer({ health: () => ({ status: 'failing', failing: ['store'] }) })], [1, shardPeer({})]]),
      [0, 1, 2],
    );
    const started = Date.now();
    const answer = await fetch(`${failing}/healthz`);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(answer.status).toBe(503);
    const body = (await answer.json()) as { status: string; shards: { id: number; failing: string[] }[] };
    expect(body.status).toBe('failing');
    expect(body.shards.map((s) => [s.id, s.failing])).toEqual([
      [0, ['store']],
      [1, ['shard not answering']],
      [2, ['shard not running']],
    ]);
  });

  it('/metrics sums the counters of every shard into one Prometheus text', async () => {
    const base = await serve(
      new Map([[0, shardPeer({ metrics: () => metricsOf(2) })], [1, shardPeer({ metrics: () => metricsOf(3) })]]),
    );
    const answer = await fetch(`${base}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/plain');
    expect(await answer.text()).toMatch(/^videobot_jobs_accepted_total 5$/m);
  });

  it('hands a webhook to the shard its URL names, raw body and headers as sent, and relays its answer', async () => {
    const received: ForwardedWebhook[] = [];
    const base = await serve(
      new Map([
        [0, shardPeer({})],
        [1, shardPeer({ webhook: (p) => (received.push(p as ForwardedWebhook), { status: 401, body: '{"error":"bad signature"}' }) })],
      ]),
    );
    const body = '{"id":"p1",  "status":"succeeded"}';
    const answer = await fetch(`${base}/webhooks/replicate/shard-1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
      body,
    });
    expect(answer.status).toBe(401);
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toBe(body);
    expect(received[0]!.headers['webhook-id']).toBe('msg_1');

    const nobody = await fetch(`${base}/webhooks/replicate/shard-7`, { method: 'POST', body });
    expect(nobody.status).toBe(200);
    const tooLarge = await fetch(`${base}/webhooks/replicate/shard-1`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    expect(tooLarge.status).toBe(413);
    expect(received).toHaveLength(1);
  });

  it('answers 413 to a 2 MB webhook without handing it on, and a sender that reads only once its body is out reads it every time', async () => {
    const received: unknown[] = [];
    const base = await serve(new Map([[1, shardPeer({ webhook: (p) => (received.push(p), { status: 200 }) })]]));
    const port = Number(new URL(base).port);
    const body = JSON.stringify({ id: 'p1', status: 'processing', logs: 'x'.repeat(2 * 1024 * 1024) });
    for (let i = 0; i < 8; i++) {
      const answer = await postWhole(port, '/webhooks/replicate/shard-1', { 'content-type': 'application/json' }, body);
      expect(answer).toMatchObject({ status: 413, text: expect.stringContaining('body too large') });
    }
    expect(received).toEqual([]);
  });

  it('/healthz asks the shards at most once a second however many probes: 1,000 requests, one question per shard', async () => {
    const clock = new ManualClock();
    const asked = { 0: 0, 1: 0 };
    let shard1 = 'ok';
    const base = await serve(
      new Map([
        [0, shardPeer({ health: () => (asked[0]++, { status: 'ok' }) })],
        [1, shardPeer({ health: () => (asked[1]++, shard1 === 'ok' ? { status: 'ok' } : { status: 'failing', failing: ['store'] }) })],
      ]),
      [0, 1],
      { clock },
    );
    const get = async () => (await fetch(`${base}/healthz`)).status;
    for (let batch = 0; batch < 10; batch++) {
      expect(await Promise.all(Array.from({ length: 100 }, get))).toEqual(Array(100).fill(200));
    }
    expect(asked).toEqual({ 0: 1, 1: 1 });

    shard1 = 'failing';
    expect(await get()).toBe(200);
    await clock.advance(1_000);
    expect(await get()).toBe(503);
    expect(asked).toEqual({ 0: 2, 1: 2 });
  });

  it('/metrics answers 401 without the bearer token when METRICS_TOKEN is set, /healthz stays open', async () => {
    const metricsToken = 'manager-scrape-token-77';
    const base = await serve(new Map([[0, shardPeer({ metrics: () => metricsOf(2), health: () => ({ status: 'ok' }) })]]), [0], { metricsToken });
    const bare = await fetch(`${base}/metrics`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer manager-scrape-token-78' } })).status).toBe(401);
    const scraped = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^videobot_jobs_accepted_total 2$/m);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
