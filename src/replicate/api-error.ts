/** How a failed Replicate call failed, decided on status codes and error types, never on message wording. */
export type Failure =
  | { kind: 'throttled'; status: 429; retryAfterMs?: number }
  | { kind: 'server'; status: number }
  | { kind: 'network' }
  | { kind: 'refused'; status: number; body?: ProblemBody }
  | { kind: 'other' };

/** Replicate's problem-details error body. */
export interface ProblemBody {
  title?: string;
  detail?: string;
  status?: number;
  invalid_fields?: { type?: string; field?: string; description?: string }[];
}

interface ApiErrorLike extends Error {
  response: Response;
}

export function isApiError(err: unknown): err is ApiErrorLike {
  return err instanceof Error && err.name === 'ApiError' && (err as Partial<ApiErrorLike>).response instanceof Response;
}

/**
 * The client reads the body into the message (`Request to … failed with status … : <body>.`) and keeps no parsed
 * copy, so the JSON is taken back out of the message.
 */
export function problemBody(err: unknown): ProblemBody | undefined {
  if (!isApiError(err)) return undefined;
  const start = err.message.indexOf('{');
  const end = err.message.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  try {
    const body: unknown = JSON.parse(err.message.slice(start, end + 1));
    return typeof body === 'object' && body !== null ? (body as ProblemBody) : undefined;
  } catch {
    return undefined;
  }
}

/** `Retry-After` as seconds or an HTTP date; failing that, the "resets in ~Ns" of the 429 body. */
export function retryAfterMs(err: ApiErrorLike, now: number): number | undefined {
  const header = err.response.headers.get('retry-after');
  if (header !== null && header.trim() !== '') {
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const hint = /resets in ~?(\d+(?:\.\d+)?)\s*s/.exec(problemBody(err)?.detail ?? '');
  return hint ? Number(hint[1]) * 1000 : undefined;
}

const networkErrorNames = new Set(['TimeoutError', 'AbortError', 'ConnectTimeoutError', 'SocketError', 'HeadersTimeoutError', 'BodyTimeoutError']);
const networkErrorCodes = /^(?:E(?:CONNRESET|CONNREFUSED|CONNABORTED|PIPE|TIMEDOUT|NOTFOUND|AI_AGAIN|HOSTUNREACH|NETUNREACH|NETDOWN)|UND_ERR_.+)$/;

/**
 * A failure on the way to Replicate or back: fetch's `TypeError: fetch failed` (refused, reset, DNS), a body cut off
 * mid-read (`terminated`), a timeout. undici hangs the real reason on `cause`, so the chain is walked.
 */
function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (networkErrorNames.has(e.name)) return true;
    if (e.name === 'TypeError' && (e.message === 'fetch failed' || e.message === 'terminated')) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && networkErrorCodes.test(code)) return true;
  }
  return false;
}

export function classify(err: unknown, now: number): Failure {
  if (isApiError(err)) {
    const status = err.response.status;
    if (status === 429) {
      const wait = retryAfterMs(err, now);
      return wait === undefined ? { kind: 'throttled', status } : { kind: 'throttled', status, retryAfterMs: wait };
    }
    if (status >= 500) return { kind: 'server', status };
    const body = problemBody(err);
    return body ? { kind: 'refused', status, body } : { kind: 'refused', status };
  }
  if (isNetworkError(err)) return { kind: 'network' };
  return { kind: 'other' };
}

/**
 * Replicate refused the bot itself, not the request: a token it does not accept (401, 403) or an account out of
 * credit (402). Nothing is made or billed meanwhile; only the operator can fix it.
 */
export function isOperatorRefusal(failure: Failure): boolean {
  return failure.kind === 'refused' && (failure.status === 401 || failure.status === 402 || failure.status === 403);
}

/**
 * A create that may have reached Replicate although no answer said so: a 5xx, a network error, a timeout, or
 * something we could not read. Only a 429 or a 4xx says for sure that nothing was made.
 */
export function isAmbiguous(failure: Failure): boolean {
  return failure.kind === 'server' || failure.kind === 'network' || failure.kind === 'other';
}

/** Replicate does not know the thing asked for (404, 410): for a prediction, its output can never be had. */
export function isGone(failure: Failure): boolean {
  return failure.kind === 'refused' && (failure.status === 404 || failure.status === 410);
}

/** A few words for a member: why Replicate could not be used. */
export function shortReason(failure: Failure): string {
  switch (failure.kind) {
    case 'throttled':
      return 'too many requests';
    case 'server':
      return `Replicate error ${failure.status}`;
    case 'network':
      return 'could not reach Replicate';
    case 'refused':
      if (failure.status === 401 || failure.status === 403) return "the bot's Replicate token was refused";
      if (failure.status === 402) return 'the Replicate account is out of credit';
      return `refused with ${failure.status}`;
    default:
      return 'unexpected error';
  }
}
