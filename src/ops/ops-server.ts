import type { Client } from 'discord.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { JobStore } from '../queue/ports.js';
import { createHealthCheck } from './health.js';
import { startHttpServer, type HttpRoute, type HttpServer } from './http-server.js';
import type { Metrics } from './metrics.js';

export interface OpsServerOptions {
  port: number;
  host: string;
  client: Client;
  store: Pick<JobStore, 'getMeta'>;
  metrics: Metrics;
  clock: Clock;
  log: Logger;
  /** More routes on the same port (the webhook endpoint). */
  routes?: Record<string, HttpRoute>;
}

/** `HTTP_PORT`: `/healthz` (gateway and store) and `/metrics` (this process's registry), plus any extra routes. */
export function startOpsServer(options: OpsServerOptions): Promise<HttpServer> {
  const { client, store, metrics, clock, log } = options;
  const health = createHealthCheck({
    shards: () => [...client.ws.shards.values()].map((s) => ({ id: s.id, status: s.status, ping: s.ping })),
    // A cheap read through the store's own path: what a job write would meet.
    pingStore: () => store.getMeta('health'),
    clock,
    log,
  });
  const metricsRoute: HttpRoute = async (_req, res) => {
    const { contentType, body } = await metrics.render();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
  };
  return startHttpServer({
    port: options.port,
    host: options.host,
    log,
    routes: { '/healthz': health.route, '/metrics': metricsRoute, ...options.routes },
  });
}
