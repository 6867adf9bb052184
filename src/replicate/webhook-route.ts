import type Replicate from 'replicate';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { HttpRoute } from '../ops/http-server.js';
import type { ExpiringMetaStore } from '../storage/webhook-records.js';
import { WebhookRecords } from '../storage/webhook-records.js';
import type { PredictionInbox } from './prediction-inbox.js';
import type { RetryPolicy } from './retry.js';
import { createWebhookReceiver, type WebhookOutcome } from './webhook-receiver.js';
import { fetchWebhookSecret } from './webhook-secret.js';

export interface WebhookRouteOptions {
  /** REPLICATE_WEBHOOK_SECRET; fetched from Replicate when undefined. */
  secret: string | undefined;
  client: Replicate;
  store: ExpiringMetaStore;
  inbox: PredictionInbox;
  owner: string;
  clock: Clock;
  log: Logger;
  /** Told the secret as soon as it is known, so the log can scrub it. */
  learnSecret: (secret: string) => void;
  retry?: Partial<RetryPolicy>;
  signal?: AbortSignal;
  onOutcome?: (outcome: WebhookOutcome) => void;
}

/** The `/webhooks/replicate` route of the HTTP server, its secret resolved (see webhook-receiver.ts). */
export async function prepareWebhookRoute(options: WebhookRouteOptions): Promise<HttpRoute> {
  const { client, clock, log } = options;
  const secret =
    options.secret ??
    (await fetchWebhookSecret(client, {
      clock,
      log,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }));
  options.learnSecret(secret);
  return createWebhookReceiver({
    secret,
    owner: options.owner,
    inbox: options.inbox,
    ids: new WebhookRecords(options.store),
    clock,
    log,
    ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
  });
}
