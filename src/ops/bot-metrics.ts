import type { Job } from '../queue/job.js';

/**
 * The bot's observations for Prometheus, as one port: `queue/`, `commands/`, `replicate/` and the webhook endpoint
 * may import it as a type only (the prom-client side is src/ops/metrics.ts). Every call is synchronous, cheap and
 * never throws, so a call site stays one line on any path, hot or not.
 */
export interface BotMetrics {
  /** A job was accepted (stored and in line). */
  jobAccepted(job: Job): void;
  /** A job ended (done, failed or canceled): its durations, a failure's reason, the seconds charged. */
  jobEnded(job: Job): void;
  /**
   * A call to Discord or Replicate that failed: `kind` is the HTTP status ('429', '503') or a word for no answer
   * ('network', 'timeout'). Bounded by construction: never a URL or an id.
   */
  apiError(api: ApiName, kind: string): void;
  /** A call sent again after a failure; `operation` is a short fixed name ('prediction poll', 'rate-limited'). */
  apiRetry(api: ApiName, operation: string): void;
  /** An interaction acknowledged: milliseconds from its arrival to Discord's answer to the acknowledgement. */
  acknowledged(ms: number): void;
  /** A webhook's verification at the bot's HTTP endpoint. */
  webhookVerified(outcome: WebhookOutcome): void;
}

export type ApiName = 'discord' | 'replicate';

/** What became of one incoming webhook (2xx: verified, replayed; 4xx: the rest). */
export type WebhookOutcome =
  | 'verified'
  | 'replayed'
  | 'bad-signature'
  | 'stale'
  | 'oversized'
  | 'malformed'
  | 'unknown-prediction';

/** Observes nothing: for units and tools that run parts of the bot without a registry. */
export const noMetrics: BotMetrics = {
  jobAccepted: () => undefined,
  jobEnded: () => undefined,
  apiError: () => undefined,
  apiRetry: () => undefined,
  acknowledged: () => undefined,
  webhookVerified: () => undefined,
};
