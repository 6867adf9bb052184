import type { Reply } from './http.js';

/** The Discord errors a channel that became unusable answers with: `{code, message}` and the HTTP status Discord uses. */
export const channelErrors = {
  50001: { status: 403, message: 'Missing Access' },
  50013: { status: 403, message: 'Missing Permissions' },
  10003: { status: 404, message: 'Unknown Channel' },
} as const;
export type ChannelErrorCode = keyof typeof channelErrors;

/** A failure to answer instead of routing, for the next `times` matching requests. */
export interface FaultSpec {
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Tested against the request path (with `/api/v10`, without the query), e.g. `/messages\/(@|%40)original/`. */
  pathPattern: RegExp;
  /** Only requests that upload a file (multipart with a `files[n]` part) match when true. */
  withFile?: boolean;
  /** Only requests whose body contains this text match (e.g. one edit of a message among several). */
  bodyIncludes?: string;
  /**
   * What the request gets: an HTTP error (429 with Retry-After, 5xx with Discord's text body), a Discord error code
   * with its own status (50013/50001 → 403, 10003 → 404), or `hang`: the request is read and never answered, as an
   * upload on a stalled link. `hang-after-landing` runs the route first (the message exists) and then never answers:
   * the upload that timed out on our side although Discord had it.
   */
  status?: 429 | 500 | 502 | 503;
  code?: ChannelErrorCode;
  hang?: 'before-landing' | 'after-landing';
  /** For 429: the `retry-after` header and `retry_after` body field, in seconds; default 1. */
  retryAfterSeconds?: number;
  /** For 429: mark it a global rate limit (`x-ratelimit-global`). */
  global?: boolean;
  /** How many requests fail; default 1 (Infinity: until cleared). */
  times?: number;
}

const serverErrors: Record<500 | 502 | 503, string> = {
  500: '500: Internal Server Error',
  502: '502: Bad Gateway',
  503: '503: Service Unavailable',
};

/** What the server does with a request a fault matched. */
export type FaultAction = { reply: Reply } | { hang: 'before-landing' | 'after-landing' };

export class FaultInjector {
  private pending: { spec: FaultSpec; left: number }[] = [];

  add(spec: FaultSpec): void {
    const kinds = [spec.status, spec.code, spec.hang].filter((k) => k !== undefined).length;
    if (kinds !== 1) throw new Error('a fault needs exactly one of status, code or hang');
    this.pending.push({ spec, left: spec.times ?? 1 });
  }

  clear(): void {
    this.pending = [];
  }

  /** The injected action for this request, consuming one use of the first matching fault. */
  take(method: string, path: string, hasFile: boolean, body: Buffer = Buffer.alloc(0)): FaultAction | undefined {
    const fault = this.pending.find(
      (f) =>
        f.left > 0 &&
        (f.spec.method === undefined || f.spec.method.toUpperCase() === method) &&
        (f.spec.withFile !== true || hasFile) &&
        (f.spec.bodyIncludes === undefined || body.includes(f.spec.bodyIncludes)) &&
        f.spec.pathPattern.test(path),
    );
    if (!fault) return undefined;
    fault.left--;
    const { spec } = fault;
    if (spec.hang) return { hang: spec.hang };
    if (spec.code !== undefined) {
      const known = channelErrors[spec.code];
      return { reply: { status: known.status, json: { message: known.message, code: spec.code } } };
    }
    if (spec.status !== 429) {
      const status = spec.status ?? 500;
      return { reply: { status, json: { message: serverErrors[status], code: 0 } } };
    }
    const retryAfter = spec.retryAfterSeconds ?? 1;
    return {
      reply: {
        status: 429,
        json: { message: 'You are being rate limited.', retry_after: retryAfter, global: spec.global === true },
        headers: {
          'retry-after': String(retryAfter),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(retryAfter),
          'x-ratelimit-scope': spec.global ? 'global' : 'user',
          ...(spec.global ? { 'x-ratelimit-global': 'true' } : {}),
        },
      },
    };
  }
}
