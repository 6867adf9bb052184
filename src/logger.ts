import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Interaction tokens ride in webhook and callback URLs; they are secrets for 15 minutes. */
const tokenInUrl = /(\/(?:webhooks|interactions)\/\d+\/)[\w.-]{16,}/g;

/** Replaces every secret (the configured tokens, interaction tokens in URLs) in a log line. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(tokenInUrl, '$1[REDACTED]');
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[REDACTED]');
  return out;
}

export interface LoggerOptions {
  level: string;
  /**
   * Tokens that must never appear in a line, whatever field they hide in. Read at every line, so a secret learned
   * after the start (the webhook signing secret fetched from Replicate) can be pushed onto the same array.
   */
  secrets: readonly string[];
  /** Where lines go (stdout by default); tests pass an object with `write(line)`. */
  destination?: DestinationStream;
  /** Omits pid, hostname and time (stable lines for tests). */
  bare?: boolean;
  /** Fields on every line, e.g. `{ shard: 1 }` in a shard process or `{ manager: true }` in the sharding manager. */
  bindings?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets;
  const log = pino(
    {
      level: options.level,
      ...(options.bare ? { base: undefined, timestamp: false } : {}),
      redact: {
        paths: [
          'token',
          '*.token',
          'interactionToken',
          '*.interactionToken',
          'reply.interactionToken',
          '*.reply.interactionToken',
          'auth',
          '*.auth',
          'headers.authorization',
          '*.headers.authorization',
          'err.requestBody',
          'err.request',
        ],
        censor: '[REDACTED]',
      },
      hooks: { streamWrite: (line) => scrubSecrets(line, secrets) },
    },
    options.destination,
  );
  return options.bindings ? log.child(options.bindings) : log;
}
