import Replicate from 'replicate';

export interface ReplicateClientOptions {
  token: string;
  /** Default `https://api.replicate.com/v1`; tests point it at the loopback fake. */
  baseUrl?: string;
  /** The fetch the client uses underneath (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** Real-time limit for one HTTP request, before its body is counted (default 30 000 ms); the client has none. */
  requestTimeoutMs?: number;
  /**
   * Slowest uplink a request body is given time for (default 65 536 bytes/s): each byte adds 1/rate to the limit,
   * so a 10 MB start image gets 30 s + about 153 s.
   */
  minUploadBytesPerSecond?: number;
  /** Waits before each API call's one request (the account-wide request budget); its wait is not timed. */
  admit?: Admit;
}

/** Resolves when the request may go out (rejects with the request's signal's reason when it is aborted first). */
export type Admit = (url: string, method: string, signal?: AbortSignal) => Promise<void>;

export const defaultRequestTimeoutMs = 30_000;
export const defaultMinUploadBytesPerSecond = 64 * 1024;

type Outcome = { response: Response; body: ArrayBuffer } | { error: unknown };

/** Time limit for a request whose body is `bodyBytes` long: the base, plus the body sent at the slowest rate. */
export function requestTimeoutFor(bodyBytes: number, baseMs: number, minBytesPerSecond: number): number {
  return baseMs + Math.ceil((bodyBytes / minBytesPerSecond) * 1000);
}

/** Bytes a fetch body will put on the wire (multipart framing aside); 0 for a body that is not counted. */
export function bodySize(body: unknown): number {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Blob) return body.size;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof URLSearchParams) return Buffer.byteLength(body.toString());
  if (body instanceof FormData) {
    let total = 0;
    for (const [, value] of body) total += typeof value === 'string' ? Buffer.byteLength(value) : value.size;
    return total;
  }
  return 0;
}

export interface OnceOnlyFetchOptions {
  requestTimeoutMs?: number;
  minUploadBytesPerSecond?: number;
  admit?: Admit;
}

/**
 * The replicate client's `withAutomaticRetries` resends in a burst with no backoff, ignores `Retry-After`, and
 * resends POSTs after network errors (a second, paid prediction). It calls fetch again with the very same `init`
 * object for each retry of one API call, so this fetch sends the first call only and answers every repeat with the
 * recorded outcome: exactly one HTTP request per API call. The client then throws its ApiError (real status and
 * headers) or the original network error, and our retry policy (retry.ts) decides what to do.
 *
 * Each request gets a time limit that grows with its body, so an image upload on a slow uplink is not cut off.
 */
export function onceOnlyFetch(base: typeof fetch, options: OnceOnlyFetchOptions = {}): typeof fetch {
  const baseMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
  const rate = options.minUploadBytesPerSecond ?? defaultMinUploadBytesPerSecond;
  const seen = new WeakMap<object, Outcome>();
  return async (input, init) => {
    if (!init) {
      await options.admit?.(urlOf(input), 'GET');
      return base(input, init);
    }
    const recorded = seen.get(init);
    if (recorded) return replay(recorded);
    await options.admit?.(urlOf(input), init.method ?? 'GET', init.signal ?? undefined);
    const timeout = AbortSignal.timeout(requestTimeoutFor(bodySize(init.body), baseMs, rate));
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let outcome: Outcome;
    try {
      const response = await base(input, { ...init, signal });
      if (response.ok) return response;
      outcome = { response, body: await response.arrayBuffer() };
    } catch (error) {
      outcome = { error };
    }
    seen.set(init, outcome);
    return replay(outcome);
  };
}

function urlOf(input: Parameters<typeof fetch>[0]): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

function replay(outcome: Outcome): Response {
  if ('error' in outcome) throw outcome.error;
  const { response, body } = outcome;
  return new Response(body.slice(0), { status: response.status, statusText: response.statusText, headers: response.headers });
}

export function createReplicateClient(options: ReplicateClientOptions): Replicate {
  return new Replicate({
    auth: options.token,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    fetch: onceOnlyFetch(options.fetch ?? globalThis.fetch, {
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.minUploadBytesPerSecond === undefined ? {} : { minUploadBytesPerSecond: options.minUploadBytesPerSecond }),
      ...(options.admit ? { admit: options.admit } : {}),
    }),
  });
}
