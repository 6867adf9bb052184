/**
 * The network faults of the soak, decided per request on the wire (test/harness/fault-proxy.ts) from seeded
 * streams, one per route, so the nth request to a route gets the same fault in every run with the seed.
 * Rates are per request; `scale` multiplies them. During a storm every request to the target fails.
 */
import type { ProxiedRequest, ProxyFault } from '../../test/harness/fault-proxy.js';
import { SeededRandom } from '../../test/harness/seeded-random.js';
import type { Storm } from './plan.js';

interface Rates {
  throttled: number;
  serverError: number;
  reset: number;
  /** Forwarded (the request takes effect), then answered 500. */
  acceptedThen500: number;
  /** Forwarded, then the connection is reset. */
  acceptedThenReset: number;
  /** Never answered: the client times out (uploads). */
  hang: number;
}

const none: Rates = { throttled: 0, serverError: 0, reset: 0, acceptedThen500: 0, acceptedThenReset: 0, hang: 0 };

const replicateRates: Record<string, Rates> = {
  create: { ...none, throttled: 0.04, serverError: 0.03, reset: 0.02, acceptedThen500: 0.05, acceptedThenReset: 0.03 },
  get: { ...none, throttled: 0.03, serverError: 0.03, reset: 0.02 },
  list: { ...none, serverError: 0.03, reset: 0.01 },
  cancel: { ...none, serverError: 0.03, reset: 0.01 },
  files: { ...none, serverError: 0.03, reset: 0.02 },
  'file-get': { ...none, serverError: 0.03 },
  output: { ...none, serverError: 0.03, reset: 0.01 },
};

/** Discord routes the bot uses for jobs; start-up routes (gateway, commands, @me) and the acknowledgement are left alone. */
const discordRates: Record<string, Rates> = {
  'edit-reply': { ...none, throttled: 0.03, serverError: 0.03 },
  'upload-reply': { ...none, throttled: 0.03, serverError: 0.03, hang: 0.04 },
  'read-reply': { ...none, serverError: 0.03 },
  'follow-up': { ...none, throttled: 0.03, serverError: 0.03 },
  'post-channel': { ...none, throttled: 0.03, serverError: 0.03 },
  'upload-channel': { ...none, throttled: 0.03, serverError: 0.03, hang: 0.04 },
  'edit-channel': { ...none, serverError: 0.03 },
};

export function replicateRoute(method: string, path: string): string | undefined {
  const p = path.split('?')[0]!;
  if (method === 'POST' && /^\/v1\/models\/[^/]+\/[^/]+\/predictions$/.test(p)) return 'create';
  if (method === 'GET' && p === '/v1/predictions') return 'list';
  if (method === 'GET' && /^\/v1\/predictions\/[^/]+$/.test(p)) return 'get';
  if (method === 'POST' && /^\/v1\/predictions\/[^/]+\/cancel$/.test(p)) return 'cancel';
  if (method === 'POST' && p === '/v1/files') return 'files';
  if (method === 'GET' && /^\/v1\/files\/[^/]+$/.test(p)) return 'file-get';
  if (method === 'GET' && /^\/files-out\//.test(p)) return 'output';
  return undefined;
}

export function discordRoute(request: ProxiedRequest): string | undefined {
  const p = request.path.split('?')[0]!.replace(/^\/api\/v\d+/, '');
  const upload = /^multipart\/form-data/.test(request.headers['content-type'] ?? '');
  const { method } = request;
  if (/^\/webhooks\/\d+\/[^/]+\/messages\/(@original|%40original)$/.test(p)) {
    if (method === 'PATCH') return upload ? 'upload-reply' : 'edit-reply';
    if (method === 'GET') return 'read-reply';
  }
  if (method === 'POST' && /^\/webhooks\/\d+\/[^/]+$/.test(p)) return 'follow-up';
  if (method === 'POST' && /^\/channels\/\d+\/messages$/.test(p)) return upload ? 'upload-channel' : 'post-channel';
  if (method === 'PATCH' && /^\/channels\/\d+\/messages\/\d+$/.test(p)) return 'edit-channel';
  return undefined;
}

function replicateProblem(status: number, retryAfterSeconds?: number): Omit<Extract<ProxyFault, { kind: 'answer' }>, 'kind' | 'label'> {
  if (status === 429) {
    const s = retryAfterSeconds ?? 1;
    return {
      status,
      headers: { 'content-type': 'application/problem+json', 'retry-after': String(s) },
      json: { title: 'Request was throttled', detail: `Request was throttled. Your rate limit resets in ~${s}s.`, status },
    };
  }
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    json: { title: status === 500 ? 'Internal server error' : 'Service unavailable', detail: 'Something went wrong. Please try again.', status },
  };
}

function discordError(status: number, retryAfterSeconds = 0.5): Omit<Extract<ProxyFault, { kind: 'answer' }>, 'kind' | 'label'> {
  if (status === 429) {
    return {
      status,
      headers: {
        'retry-after': String(Math.ceil(retryAfterSeconds)),
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': String(retryAfterSeconds),
        'x-ratelimit-scope': 'user',
      },
      json: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
    };
  }
  return { status, json: { message: status === 500 ? '500: Internal Server Error' : '503: Service Unavailable', code: 0 } };
}

export interface ChaosOptions {
  seed: number;
  scale: number;
  storms: Storm[];
  /** Real time the run started (storms are offsets from it). */
  startedAt: () => number;
  /** Share of predictions whose output downloads fail for `outputOutageMs` from the first try (0 when absent). */
  outputOutageRate?: number;
  outputOutageMs?: [number, number];
  /**
   * Asked for every create: true answers it "accepted, then 500" whatever the draw. The soak says so for the two
   * identical creates of a Regenerate pair, so each job must find its own prediction among two with its input.
   */
  ambiguousCreate?: (prompt: string) => boolean;
}

function inStorm(o: ChaosOptions, target: Storm['target']): boolean {
  const t = Date.now() - o.startedAt();
  return o.storms.some((s) => s.target === target && t >= s.startMs && t < s.endMs);
}

/** Draws the fault (if any) for one request to `route` from its own seeded stream. */
function drawer(o: ChaosOptions, target: string) {
  const streams = new Map<string, SeededRandom>();
  const root = new SeededRandom(o.seed).fork(target);
  return (route: string, rates: Rates): keyof Rates | undefined => {
    let random = streams.get(route);
    if (!random) streams.set(route, (random = root.fork(route)));
    const roll = random.next();
    let edge = 0;
    for (const kind of Object.keys(rates) as (keyof Rates)[]) {
      edge += rates[kind] * o.scale;
      if (roll < edge) return kind;
    }
    return undefined;
  };
}

function promptOf(body: Buffer): string {
  try {
    return String((JSON.parse(body.toString('utf8')) as { input?: { prompt?: unknown } }).input?.prompt ?? '');
  } catch {
    return '';
  }
}

export function replicateChaos(o: ChaosOptions): (request: ProxiedRequest) => ProxyFault | undefined {
  const draw = drawer(o, 'replicate');
  const storm = new SeededRandom(o.seed).fork('replicate-storm');
  const outage = new SeededRandom(o.seed).fork('output-outage');
  /** Prediction id → until when (real ms) its output fails, decided at its first download. */
  const outputDown = new Map<string, number>();
  const outputOutage = (path: string): boolean => {
    const id = /^\/files-out\/([^/.]+)/.exec(path)?.[1] ?? path;
    let until = outputDown.get(id);
    if (until === undefined) {
      const [min, max] = o.outputOutageMs ?? [0, 0];
      until = outage.chance((o.outputOutageRate ?? 0) * Math.min(1, o.scale)) ? Date.now() + outage.int(min, max) : 0;
      outputDown.set(id, until);
    }
    return Date.now() < until;
  };
  return (request) => {
    const route = replicateRoute(request.method, request.path);
    if (!route) return undefined;
    if (inStorm(o, 'replicate')) {
      return storm.chance(0.3)
        ? { kind: 'reset', label: `replicate outage: ${route} reset` }
        : { kind: 'answer', label: `replicate outage: ${route} 503`, ...replicateProblem(503) };
    }
    if (route === 'output' && outputOutage(request.path)) {
      return outage.chance(0.5)
        ? { kind: 'reset', label: 'output download outage: reset' }
        : { kind: 'answer', label: 'output download outage: 503', ...replicateProblem(503) };
    }
    if (route === 'create' && o.ambiguousCreate?.(promptOf(request.body))) {
      return { kind: 'answer-after', label: 'replicate create of a Regenerate pair accepted, answered 500', ...replicateProblem(500) };
    }
    const rates = replicateRates[route];
    const kind = rates && draw(route, rates);
    switch (kind) {
      case 'throttled':
        return { kind: 'answer', label: `replicate ${route} 429`, ...replicateProblem(429, 1) };
      case 'serverError':
        return { kind: 'answer', label: `replicate ${route} 5xx`, ...replicateProblem(route === 'create' ? 502 : 503) };
      case 'reset':
        return { kind: 'reset', label: `replicate ${route} reset` };
      case 'acceptedThen500':
        return { kind: 'answer-after', label: `replicate ${route} accepted, answered 500`, ...replicateProblem(500) };
      case 'acceptedThenReset':
        return { kind: 'reset-after', label: `replicate ${route} accepted, connection reset` };
      default:
        return undefined;
    }
  };
}

export function discordChaos(o: ChaosOptions): (request: ProxiedRequest) => ProxyFault | undefined {
  const draw = drawer(o, 'discord');
  return (request) => {
    const route = discordRoute(request);
    if (!route) return undefined;
    if (inStorm(o, 'discord')) return { kind: 'answer', label: `discord 5xx storm: ${route}`, ...discordError(503) };
    const rates = discordRates[route];
    const kind = rates && draw(route, rates);
    switch (kind) {
      case 'throttled':
        return { kind: 'answer', label: `discord ${route} 429`, ...discordError(429) };
      case 'serverError':
        return { kind: 'answer', label: `discord ${route} 5xx`, ...discordError(500) };
      case 'hang':
        return { kind: 'hang', label: `discord ${route} hung until the client timed out` };
      default:
        return undefined;
    }
  };
}
