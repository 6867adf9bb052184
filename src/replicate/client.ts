import Replicate from 'replicate';

export interface ReplicateClientOptions {
  token: string;
  /** Default `https://api.replicate.com/v1`; tests point it at the loopback fake. */
  baseUrl?: string;
  /** The fetch the client uses underneath (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** Real-time limit for one HTTP request (default 30 000 ms); the client itself has none. */
  requestTimeoutMs?: number;
}

type Outcome = { response: Response; body: ArrayBuffer } | { error: unknown };

/**
 * The replicate client's `withAutomaticRetries` resends in a burst with no backoff, ignores `Retry-After`, and
 * resends POSTs after network errors (a second, paid prediction). It calls fetch again with the very same `init`
 * object for each retry of one API call, so this fetch sends the first call only and answers every repeat with the
 * recorded outcome: exactly one HTTP request per API call. The client then throws its ApiError (real status and
 * headers) or the original network error, and our retry policy (retry.ts) decides what to do.
 */
export function onceOnlyFetch(base: typeof fetch, requestTimeoutMs = 30_000): typeof fetch {
  const seen = new WeakMap<object, Outcome>();
  return async (input, init) => {
    if (!init) return base(input, init);
    const recorded = seen.get(init);
    if (recorded) return replay(recorded);
    const timeout = AbortSignal.timeout(requestTimeoutMs);
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

function replay(outcome: Outcome): Response {
  if ('error' in outcome) throw outcome.error;
  const { response, body } = outcome;
  return new Response(body.slice(0), { status: response.status, statusText: response.statusText, headers: response.headers });
}

export function createReplicateClient(options: ReplicateClientOptions): Replicate {
  return new Replicate({
    auth: options.token,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    fetch: onceOnlyFetch(options.fetch ?? globalThis.fetch, options.requestTimeoutMs),
  });
}
