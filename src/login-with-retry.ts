import { DiscordAPIError, Events, HTTPError, Routes, type Client } from 'discord.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

export interface LoginOptions {
  client: Client;
  token: string;
  clock: Clock;
  log: Logger;
  /** Plain lines for the operator while the bot waits (stderr under `npm start`). */
  notice: (line: string) => void;
  /** Aborting it (SIGTERM during start) ends the wait; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** First wait, doubled after each failure up to `maxBackoffMs`; default 1 s and 30 s. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Logs in and waits for the gateway's ready. A network that is not up yet (DNS, refused, reset, timeout, a 5xx
 * from Discord) is waited for with capped backoff, saying so on each retry: a host that reboots starts the bot
 * before its network. Anything else (a token Discord refuses, an intent it does not grant) is an answer, not a
 * fault: it is thrown at once.
 */
export async function loginWithRetry(options: LoginOptions): Promise<void> {
  const { client, token, clock, log, signal } = options;
  const firstWaitMs = options.backoffMs ?? 1_000;
  const maxWaitMs = options.maxBackoffMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      // Ask whether Discord answers before logging in: a failed login destroys the client for good (discord.js
      // keeps it marked destroyed), a failed request leaves it as it was. Any answer, even a refusal, goes on to
      // the login, which turns it into the error an operator can act on (a refused token: TokenInvalid).
      client.rest.setToken(token);
      await client.rest.get(Routes.gatewayBot()).catch((err: unknown) => {
        if (describeUnreachable(err) !== undefined) throw err;
      });
      await loginOnce(client, token);
      return;
    } catch (err) {
      const reason = describeUnreachable(err);
      if (reason === undefined) throw err;
      const waitMs = Math.min(maxWaitMs, firstWaitMs * 2 ** (attempt - 1));
      log.warn({ err, attempt, retryInMs: waitMs }, 'discord unreachable; login retried later');
      options.notice(`Discord is not reachable yet (${reason}); retrying in ${Math.round(waitMs / 1000)} s`);
      // A login that failed half-way destroyed the client, which forgets the token: recovered jobs need it.
      client.rest.setToken(token);
      await clock.sleep(waitMs, signal);
    }
  }
}

async function loginOnce(client: Client, token: string): Promise<void> {
  let onReady: (() => void) | undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  client.once(Events.ClientReady, onReady!);
  try {
    await client.login(token);
    await ready;
  } catch (err) {
    client.off(Events.ClientReady, onReady!);
    throw err;
  }
}

const networkCodes = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Why Discord could not be reached, in a few words; undefined when the error is an answer to act on. */
export function describeUnreachable(err: unknown): string | undefined {
  if (err instanceof DiscordAPIError) return undefined;
  if (err instanceof HTTPError) {
    return err.status >= 500 ? `Discord answered ${err.status} ${err.message}` : undefined;
  }
  if (!(err instanceof Error)) return undefined;
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return 'no answer in time';
  for (let cause: unknown = err; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && networkCodes.has(code)) return cause.message;
  }
  return undefined;
}
