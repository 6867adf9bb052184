import type { Client } from 'discord.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { JobStore } from '../queue/ports.js';
import { createHealthCheck, type HealthCheck } from './health.js';
import { requireBearer } from './bearer.js';
import { answer, startHttpServer, type HttpRoute, type HttpServer } from './http-server.js';
import type { Metrics } from './metrics.js';

/**
 * This process's health check: every gateway connection of the client ready, and the store answering a cheap read
 * through its own path (what a job write would meet). Served on `/healthz`, and asked over IPC by a sharding manager.
 */
export function createBotHealthCheck(deps: {
  client: Client;
  store: Pick<JobStore, 'getMeta'>;
  clock: Clock;
  log: Logger;
}): HealthCheck {
  const { client, store } = deps;
  return createHealthCheck({
    shards: () => [...client.ws.shards.values()].map((s) => ({ id: s.id, status: s.status, ping: s.ping })),
    pingStore: () => store.getMeta('health'),
    clock: deps.clock,
    log: deps.log,
  });
}

export interface OpsServerOptions {
  port: number;
  host: string;
  health: HealthCheck;
  metrics: Metrics;
  log: Logger;
  /** More routes on the same port (the webhook endpoint). */
  routes?: Record<string, HttpRoute>;
  /** `METRICS_TOKEN`: when set, `/metrics` answers 401 without `Authorization: Bearer <token>`. */
  metricsToken?: string | undefined;
  /** `HTTP_MAX_CONNECTIONS` (default 256). */
  maxConnections?: number;
}

/**
 * `HTTP_PORT`: `/healthz` (gateway and store; always open, for load balancers) and `/metrics` (this process's
 * registry; behind `METRICS_TOKEN` when set), plus any extra routes.
 */
export function startOpsServer(options: OpsServerOptions): Promise<HttpServer> {
  const { metrics, log } = options;
  const metricsRoute: HttpRoute = async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      answer(res, 405, { error: 'method not allowed' });
      return;
    }
    const { contentType, body } = await metrics.render();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
  };
  return startHttpServer({
    port: options.port,
    host: options.host,
    log,
    ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
    routes: { '/healthz': options.health.route, '/metrics': requireBearer(options.metricsToken, metricsRoute), ...options.routes },
  });
}
