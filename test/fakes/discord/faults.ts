import type { Reply } from './http.js';

/** A failure to answer instead of routing, for the next `times` matching requests. */
export interface FaultSpec {
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Tested against the request path (with `/api/v10`, without the query), e.g. `/messages\/(@|%40)original/`. */
  pathPattern: RegExp;
  status: 429 | 500 | 502 | 503;
  /** For 429: the `retry-after` header and `retry_after` body field, in seconds; default 1. */
  retryAfterSeconds?: number;
  /** For 429: mark it a global rate limit (`x-ratelimit-global`). */
  global?: boolean;
  /** How many requests fail; default 1. */
  times?: number;
}

const serverErrors: Record<500 | 502 | 503, string> = {
  500: '500: Internal Server Error',
  502: '502: Bad Gateway',
  503: '503: Service Unavailable',
};

export class FaultInjector {
  private readonly pending: { spec: FaultSpec; left: number }[] = [];

  add(spec: FaultSpec): void {
    this.pending.push({ spec, left: spec.times ?? 1 });
  }

  /** The injected reply for this request, consuming one use of the first matching fault. */
  take(method: string, path: string): Reply | undefined {
    const fault = this.pending.find(
      (f) =>
        f.left > 0 &&
        (f.spec.method === undefined || f.spec.method.toUpperCase() === method) &&
        f.spec.pathPattern.test(path),
    );
    if (!fault) return undefined;
    fault.left--;
    const { spec } = fault;
    if (spec.status !== 429) return { status: spec.status, json: { message: serverErrors[spec.status], code: 0 } };
    const retryAfter = spec.retryAfterSeconds ?? 1;
    return {
      status: 429,
      json: { message: 'You are being rate limited.', retry_after: retryAfter, global: spec.global === true },
      headers: {
        'retry-after': String(retryAfter),
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': String(retryAfter),
        'x-ratelimit-scope': spec.global ? 'global' : 'user',
        ...(spec.global ? { 'x-ratelimit-global': 'true' } : {}),
      },
    };
  }
}
