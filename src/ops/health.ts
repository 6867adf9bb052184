import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { answer, type HttpRoute } from './http-server.js';

/** One gateway connection as discord.js reports it (`client.ws.shards`). */
export interface ShardStatus {
  id: number;
  /** discord.js `Status`: 0 is Ready, anything else is (re)connecting, idle or gone. */
  status: number;
  /** Last heartbeat round trip in ms; -1 before the first one. */
  ping: number;
}

export interface HealthDeps {
  /** The gateway connections of this process (empty before login). */
  shards(): readonly ShardStatus[];
  /** A cheap read through the store; resolves when the store answered, rejects or hangs when it does not. */
  pingStore(): Promise<unknown>;
  clock: Clock;
  log: Logger;
  /** Longest wait for the store's answer (default 1 500 ms): the whole answer stays within 2 s. */
  storeTimeoutMs?: number;
  /** How long one store read answers for every probe (default 1 000 ms): a flood of probes is one read a second. */
  storeFreshMs?: number;
}

export type FailingPart = 'gateway' | 'store';

export interface HealthReport {
  status: 'ok' | 'failing';
  failing: FailingPart[];
  gateway: { connected: boolean; shards: ShardStatus[] };
  store: { ok: boolean; latencyMs?: number; error?: 'timeout' | 'error' };
}

const readyStatus = 0;

/**
 * `/healthz`: 200 `{"status":"ok"}` while every gateway connection is ready and the store answers a read; 503
 * `{"status":"failing","failing":[...]}` naming what does not. The store's read is time-boxed, so a store that hangs
 * is reported as failing, not waited for, and read at most once a second however many probes come (the gateway's
 * state is in memory and read at each probe). A failure is logged when it starts and when it ends, not at each probe.
 */
export interface HealthCheck {
  /** Probes now; resolves within the store's time box (never rejects). */
  check(): Promise<HealthReport>;
  /** `/healthz`: 200 or 503 with the report as JSON. */
  route: HttpRoute;
}

export function createHealthCheck(deps: HealthDeps): HealthCheck {
  const timeoutMs = deps.storeTimeoutMs ?? 1_500;
  const freshMs = deps.storeFreshMs ?? 1_000;
  let lastFailing = '';
  let lastRead: { at: number; store: Promise<HealthReport['store']> } | undefined;

  /** The store's state as read at most `freshMs` ago; probes meanwhile share that read (even while it runs). */
  function readStore(): Promise<HealthReport['store']> {
    const now = deps.clock.now();
    if (lastRead && now - lastRead.at < freshMs) return lastRead.store;
    lastRead = { at: now, store: probeStore() };
    return lastRead.store;
  }

  async function probeStore(): Promise<HealthReport['store']> {
    const started = deps.clock.now();
    let timer: { cancel(): void } | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = deps.clock.setTimer(timeoutMs, () => resolve('timeout'))));
    const read = deps.pingStore().then(
      () => 'ok' as const,
      () => 'error' as const,
    );
    const outcome = await Promise.race([read, timedOut]);
    timer?.cancel();
    return outcome === 'ok' ? { ok: true, latencyMs: deps.clock.now() - started } : { ok: false, error: outcome };
  }

  async function check(): Promise<HealthReport> {
    const shards = deps.shards().map(({ id, status, ping }) => ({ id, status, ping }));
    const connected = shards.length > 0 && shards.every((s) => s.status === readyStatus);
    const store = await readStore();
    const failing: FailingPart[] = [];
    if (!connected) failing.push('gateway');
    if (!store.ok) failing.push('store');
    const key = failing.join(',');
    if (key !== lastFailing) {
      if (key) deps.log.warn({ failing, store: store.error }, 'health check failing');
      else deps.log.info('health check ok again');
      lastFailing = key;
    }
    return { status: failing.length ? 'failing' : 'ok', failing, gateway: { connected, shards }, store };
  }

  const route: HttpRoute = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      answer(res, 405, { error: 'method not allowed' });
      return;
    }
    const report = await check();
    answer(res, report.status === 'ok' ? 200 : 503, report);
  };
  return { check, route };
}
