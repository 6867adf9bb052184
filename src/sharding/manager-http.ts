/**
 * The sharding manager's HTTP routes: `/healthz` and `/metrics` over every shard it runs, and Replicate's
 * webhooks forwarded to the shard named in their URL (`/webhooks/replicate/shard-<id>`), all over IPC.
 * The shards answer with the same functions their own HTTP server would use (see `shardAnswers`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { requireBearer } from '../ops/bearer.js';
import { takesBody } from '../ops/http-server.js';
import { readBody, refuseBody } from '../ops/request-body.js';
import { askShard, type IpcPeer } from './ipc.js';

/** One shard's metrics as `registry.getMetricsAsJSON()` gives them (what the aggregator merges). */
export type ShardMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** What a shard says of its health: the same JSON its own `/healthz` would send. */
export interface ShardHealth {
  status: 'ok' | 'failing';
  failing?: string[];
  [detail: string]: unknown;
}

/** A webhook as received by the manager, handed to the owning shard. */
export interface ForwardedWebhook {
  headers: Record<string, string>;
  body: string;
}

export interface WebhookAnswer {
  status: number;
  body?: string;
}

export interface ManagerHttpOptions {
  /** The shards this manager runs, by id (a shard being respawned is still listed; it just answers late). */
  shards: () => ReadonlyMap<number, IpcPeer>;
  /** Every shard id this manager was told to run: one missing from `shards` is reported as down. */
  expected: readonly number[];
  log: Logger;
  /** How long one shard may take to answer (default 1500 ms, so /healthz answers within 2 s). */
  askTimeoutMs?: number;
  /** Largest webhook body accepted (default 1 MiB, Replicate's are a few KiB). */
  maxWebhookBytes?: number;
  /** How long one round of health questions answers every probe (default 1 000 ms): one IPC round a second at most. */
  healthFreshMs?: number;
  clock?: Clock;
  /** `METRICS_TOKEN`: when set, `/metrics` answers 401 without `Authorization: Bearer <token>`. */
  metricsToken?: string | undefined;
}

export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createManagerRoutes(options: ManagerHttpOptions): Record<string, Route> {
  const { log, askTimeoutMs = 1_500, maxWebhookBytes = 1024 * 1024, healthFreshMs = 1_000, clock = systemClock } = options;

  let lastRound: { at: number; shards: Promise<ShardHealth[]> } | undefined;
  /** Every shard's health as asked at most `healthFreshMs` ago; probes meanwhile share that round (even while it runs). */
  const askHealth = (): Promise<ShardHealth[]> => {
    const now = clock.now();
    if (lastRound && now - lastRound.at < healthFreshMs) return lastRound.shards;
    lastRound = { at: now, shards: askEveryShard() };
    return lastRound.shards;
  };
  const askEveryShard = (): Promise<ShardHealth[]> => {
    const peers = options.shards();
    return Promise.all(
      options.expected.map(async (id) => {
        const peer = peers.get(id);
        if (!peer) return { id, status: 'failing', failing: ['shard not running'] };
        try {
          return { id, ...(await askShard<ShardHealth>(peer, 'health', null, askTimeoutMs)) };
        } catch (err) {
          return { id, status: 'failing', failing: ['shard not answering'], error: (err as Error).message };
        }
      }),
    );
  };

  const healthz: Route = async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    const shards = await askHealth();
    const ok = shards.every((s) => s.status === 'ok');
    sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'failing', shards });
  };

  const metrics: Route = async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    const peers = options.shards();
    const answers = await Promise.all(
      [...peers.entries()].map(([id, peer]) =>
        askShard<ShardMetrics>(peer, 'metrics', null, askTimeoutMs).catch((err: unknown) => {
          log.warn({ shard: id, err }, 'shard metrics not read; left out of /metrics');
          return undefined;
        }),
      ),
    );
    const registry = AggregatorRegistry.aggregate(answers.filter((a): a is ShardMetrics => a !== undefined));
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(await registry.metrics());
  };

  const webhook: Route = async (req, res) => {
    const match = /^\/webhooks\/replicate\/shard-(\d+)(?:[/?]|$)/.exec(req.url ?? '');
    const body = await readBody(req, maxWebhookBytes);
    if (body === 'too-large') return refuseBody(req, res, 413, { error: 'body too large' });
    if (body === 'aborted') return;
    const peer = match ? options.shards().get(Number(match[1])) : undefined;
    if (!match || !peer) {
      // Replicate retries what fails: a webhook for a shard that is not here would only come back.
      log.info({ path: req.url?.split('?')[0] }, 'webhook for no shard of this manager; ignored');
      return sendJson(res, 200, { ignored: true });
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
    );
    try {
      const answer = await askShard<WebhookAnswer>(peer, 'webhook', { headers, body } satisfies ForwardedWebhook, askTimeoutMs);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body ?? '');
    } catch (err) {
      // The shard is restarting: a 503 makes Replicate send the final webhook again, and the safety-net poll
      // finishes the job anyway.
      log.warn({ shard: Number(match[1]), err }, 'webhook not handed to its shard; Replicate will retry');
      sendJson(res, 503, { error: 'shard unavailable' });
    }
  };

  return {
    '/healthz': healthz,
    '/metrics': requireBearer(options.metricsToken, metrics),
    '/webhooks/replicate': takesBody(webhook),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
