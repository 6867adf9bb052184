/**
 * Words for store failures an operator reads: where the store is (never its credentials) and why it failed.
 */

/**
 * A store that cannot be used, said in one sentence (`Cannot start: <message>`). Kind `fenced`: this process lost
 * its owner's lease to another one, and the store refused its write (or it must not talk to Discord or Replicate
 * any more); trying again can never succeed, the process stops.
 */
export class StoreError extends Error {
  readonly kind: 'fenced' | undefined;
  constructor(message: string, options?: { cause?: unknown; kind?: 'fenced' }) {
    super(message, options);
    this.name = 'StoreError';
    this.kind = options?.kind;
  }
}

/** This process lost the lease: a store write refused for an older fencing token, or I/O stopped for good. */
export function isFenced(err: unknown): boolean {
  return err instanceof StoreError && err.kind === 'fenced';
}

/** STORAGE_URL without user name or password: `redis://127.0.0.1:6379/0`, `sqlite://data/bot.sqlite`. */
export function redactUrl(url: string): string {
  if (url.startsWith('sqlite://')) return url;
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

const reasonsByCode: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  SQLITE_CANTOPEN: 'the file cannot be opened',
  SQLITE_READONLY: 'the file is read-only',
  SQLITE_BUSY: 'the database is locked by another program',
  SQLITE_CORRUPT: 'the file is damaged',
  SQLITE_NOTADB: 'the file is not an SQLite database',
  SQLITE_FULL: 'the disk is full',
  '28P01': 'the password was refused',
  '28000': 'the user is not allowed in',
  '3D000': 'the database does not exist',
  '57P01': 'the server is shutting down',
  '57P03': 'the server is starting up',
};

/** Codes and messages that mean "not reachable yet": worth a few retries at start, unlike a refused password. */
const transientCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENOTFOUND', 'EAI_AGAIN', 'SQLITE_BUSY', '57P01', '57P03']);
// A Redis out of memory or read-only (a failover under way) refuses writes for a while: worth a few more tries at start.
const transientMessages = /timeout|timed out|socket closed|connection terminated|client is offline|loading the dataset|^OOM |^READONLY /i;

function codeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    // node-redis wraps the socket error of a failed connect; AggregateError holds one error per address tried.
    const inner = (e as { socketError?: unknown; originalError?: unknown; errors?: unknown[]; cause?: unknown });
    e = inner.socketError ?? inner.originalError ?? inner.errors?.[0] ?? inner.cause;
  }
  return undefined;
}

function messageOf(err: unknown): string {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error && e.message) return e.message;
    const inner = e as { errors?: unknown[]; cause?: unknown };
    e = inner.errors?.[0] ?? inner.cause;
  }
  return String(err);
}

/** node-redis's TimeoutError carries no message: its name says it. */
const isTimeout = (err: unknown) => err instanceof Error && /Timeout/.test(err.constructor.name) && !err.message;

export function isTransientStoreError(err: unknown): boolean {
  if (isTimeout(err)) return true;
  const code = codeOf(err);
  if (code !== undefined && transientCodes.has(code)) return true;
  return transientMessages.test(messageOf(err));
}

/** A few plain words for `err`, e.g. "connection refused"; the server's own words when nothing better is known. */
export function describeStoreError(err: unknown, secrets: string[] = []): string {
  if (isTimeout(err)) return 'timed out';
  const code = codeOf(err);
  let reason = (code && reasonsByCode[code]) ?? messageOf(err).split('\n')[0]!.replace(/\.$/, '');
  if (/^OOM /.test(reason)) reason = 'Redis is out of memory (maxmemory reached) and refuses writes';
  else if (/^READONLY /.test(reason)) reason = 'Redis is a read-only replica and refuses writes';
  else if (/^(WRONGPASS|NOAUTH)/.test(reason)) reason = 'the password was refused';
  for (const secret of secrets) if (secret) reason = reason.split(secret).join('***');
  return reason;
}

/** The secrets inside a STORAGE_URL (its password), to keep them out of messages. */
export function secretsOf(url: string): string[] {
  try {
    const { password } = new URL(url);
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}
