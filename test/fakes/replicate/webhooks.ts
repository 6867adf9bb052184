import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Clock, Timer } from '../../../src/clock.js';
import { endOf, startOf, toPredictionJson, type FakePrediction } from './prediction.js';

export type WebhookEvent = 'start' | 'completed';

/** One webhook request the fake sent (a retry of the final one is a delivery of its own, with the same id). */
export interface WebhookDelivery {
  webhookId: string;
  event: WebhookEvent;
  predictionId: string;
  /** The prediction's status in the body. */
  status: string;
  url: string;
  /** The bot's answer; 0 for no connection or no answer. */
  answer: number;
  /** Fake clock time it was sent. */
  time: number;
  /** Wall-clock time it was sent (Date.now), for latency figures. */
  sentAt: number;
  attempt: number;
  /** Exactly what was sent, for a replay. */
  raw: RawWebhook;
}

/** What to do to the next webhook of `event` (any event when unset), once. */
export interface WebhookTamper {
  event?: WebhookEvent;
  /** Not sent at all, and not retried: as if lost on the way. */
  drop?: boolean;
  /** Signed with another key. */
  forge?: boolean;
  /** Shifts the signed `webhook-timestamp` (seconds; negative = in the past). */
  timestampOffsetSeconds?: number;
  /** Sent this much later on the fake's clock. */
  delayMs?: number;
}

/** A request the fake sends exactly as given (malformed and oversized cases). */
export interface RawWebhook {
  url: string;
  body: string | Buffer;
  headers: Record<string, string>;
}

/** Final-webhook retry delays, on the fake's clock: the last about a minute after the end, as Replicate documents. */
export const finalRetryDelaysMs = [2_000, 4_000, 8_000, 16_000, 30_000];

/**
 * Replicate's webhooks: for a prediction created with `webhook`, POSTs signed Standard Webhooks for the events in
 * its filter (`start` when it starts, `completed` at its end), retrying only the final one on a non-2xx answer or a
 * failed connection. Timestamps are wall-clock seconds (the receiver checks them against its machine's time, as
 * Replicate's are), while when each is sent follows the fake's clock.
 */
export class WebhookSender {
  readonly secret = `whsec_${randomBytes(24).toString('base64')}`;
  readonly deliveries: WebhookDelivery[] = [];
  private readonly signer = new Webhook(this.secret);
  private readonly tampers: WebhookTamper[] = [];
  private readonly timers = new Map<string, Timer[]>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly origin: () => string,
    private readonly retentionMs: number,
  ) {}

  tamperNext(tamper: WebhookTamper): void {
    this.tampers.push(tamper);
  }

  /** Schedules the prediction's webhooks (called as it is created). */
  created(p: FakePrediction): void {
    if (!p.webhook) return;
    const now = this.clock.now();
    const timers: Timer[] = [];
    if (p.webhookEvents?.includes('start') && startOf(p) < endOf(p)) {
      timers.push(this.clock.setTimer(startOf(p) - now, () => this.send(p, 'start')));
    }
    if (p.webhookEvents?.includes('completed')) timers.push(this.clock.setTimer(endOf(p) - now, () => this.send(p, 'completed')));
    this.timers.set(p.id, timers);
  }

  /** A cancel ends the prediction now: its completed webhook goes now. */
  canceled(p: FakePrediction): void {
    for (const timer of this.timers.get(p.id) ?? []) timer.cancel();
    this.timers.delete(p.id);
    if (p.webhook && p.webhookEvents?.includes('completed')) this.send(p, 'completed');
  }

  /** Sends a delivery again, byte for byte (same id, timestamp and signature): a replay. Resolves with the answer. */
  replay(delivery: WebhookDelivery): Promise<number> {
    return post(delivery.raw);
  }

  /** Signs `body` as Replicate would (id, timestamp now unless given). */
  sign(body: string, id = newWebhookId(), at = new Date()): Record<string, string> {
    const timestamp = String(Math.floor(at.getTime() / 1000));
    return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': this.signer.sign(id, new Date(Number(timestamp) * 1000), body) };
  }

  /** Headers that look right but are signed with another key: a forgery. */
  forge(body: string, id = newWebhookId(), at = new Date()): Record<string, string> {
    return forged(body, id, at);
  }

  /** Sends exactly what it is given. Resolves with the answer's status (0: no answer). */
  postRaw(raw: RawWebhook): Promise<number> {
    return post(raw);
  }

  /** Stops every pending send and retry; waits for those on the wire. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timers of this.timers.values()) for (const timer of timers) timer.cancel();
    await Promise.allSettled([...this.inFlight]);
  }

  private takeTamper(event: WebhookEvent): WebhookTamper {
    const index = this.tampers.findIndex((t) => t.event === undefined || t.event === event);
    return index < 0 ? {} : this.tampers.splice(index, 1)[0]!;
  }

  private send(p: FakePrediction, event: WebhookEvent): void {
    const tamper = this.takeTamper(event);
    if (tamper.drop || this.closed) return;
    // The body is the prediction as it was at the event, however late it is sent (and resent). A timer may fire a
    // millisecond before its due time by the clock's reading: the event's own moment is never earlier than itself.
    const moment = Math.max(this.clock.now(), event === 'completed' ? endOf(p) : startOf(p));
    const json = toPredictionJson(p, moment, this.origin(), this.retentionMs);
    const go = () => this.deliver(p, event, tamper, newWebhookId(), 1, json);
    if (tamper.delayMs) this.clock.setTimer(tamper.delayMs, go);
    else go();
  }

  private deliver(
    p: FakePrediction,
    event: WebhookEvent,
    tamper: WebhookTamper,
    webhookId: string,
    attempt: number,
    json: ReturnType<typeof toPredictionJson>,
  ): void {
    if (this.closed) return;
    const body = JSON.stringify(json);
    const at = new Date(Date.now() + (tamper.timestampOffsetSeconds ?? 0) * 1000);
    const headers = { 'content-type': 'application/json', ...(tamper.forge ? forged(body, webhookId, at) : this.sign(body, webhookId, at)) };
    const raw: RawWebhook = { url: p.webhook!, body, headers };
    const delivery: WebhookDelivery = { webhookId, event, predictionId: p.id, status: json.status, url: raw.url, answer: 0, time: this.clock.now(), sentAt: Date.now(), attempt, raw };
    this.deliveries.push(delivery);
    const sent = post(raw).then((answer) => {
      delivery.answer = answer;
      const ok = answer >= 200 && answer < 300;
      const delay = finalRetryDelaysMs[attempt - 1];
      // Only the final webhook is retried, with the same id.
      if (!ok && event === 'completed' && delay !== undefined && !this.closed) {
        this.clock.setTimer(delay, () => this.deliver(p, event, {}, webhookId, attempt + 1, json));
      }
    });
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }
}

function newWebhookId(): string {
  return `msg_${randomBytes(14).toString('base64url')}`;
}

function forged(body: string, id: string, at: Date): Record<string, string> {
  const other = new Webhook(`whsec_${randomBytes(24).toString('base64')}`);
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': other.sign(id, at, body) };
}

async function post(raw: RawWebhook): Promise<number> {
  try {
    const response = await fetch(raw.url, { method: 'POST', body: raw.body, headers: raw.headers, signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  } catch {
    return 0;
  }
}
