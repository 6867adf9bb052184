import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Prediction } from 'replicate';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { takesBody, type HttpRoute } from '../ops/http-server.js';
import { readBody, refuseBody } from '../ops/request-body.js';
import type { PredictionInbox } from './prediction-inbox.js';

/** What became of one webhook request: the metrics count these. */
export type WebhookOutcome = 'verified' | 'replayed' | 'bad-signature' | 'stale' | 'oversized' | 'malformed' | 'unknown-prediction';

/** Largest body read (1 MiB): a prediction's JSON is a few KiB; anything past this is refused with 413. */
export const maxWebhookBytes = 1024 * 1024;

export interface WebhookReceiverOptions {
  /** Replicate's signing secret (`whsec_…`). */
  secret: string;
  /** The store owner this process runs as: webhooks addressed to another owner are answered and ignored. */
  owner: string;
  inbox: PredictionInbox;
  /** Taken `webhook-id`s, persisted (WebhookRecords): a replay is answered and changes nothing, across restarts. */
  ids: { claim(id: string, now: number): Promise<boolean> };
  clock: Clock;
  log: Logger;
  onOutcome?: (outcome: WebhookOutcome) => void;
}

/**
 * The route for `POST /webhooks/replicate/<owner>`. Verification is Standard Webhooks (`standardwebhooks`):
 * HMAC-SHA256 over `id.timestamp.rawBody`, v1 signatures only, compared in constant time, the timestamp within
 * ±5 minutes of this machine's time. The answer goes out as soon as the request is verified; the replay check and
 * the hand-over to the runner follow it, so Replicate never waits on the store.
 */
export function createWebhookReceiver(options: WebhookReceiverOptions): HttpRoute {
  const { clock, log } = options;
  const verifier = new Webhook(options.secret);
  const outcome = (what: WebhookOutcome, fields: Record<string, unknown> = {}) => {
    options.onOutcome?.(what);
    const line = { outcome: what, ...fields };
    if (what === 'verified') log.debug(line, 'webhook taken');
    else if (what === 'replayed' || what === 'unknown-prediction') log.info(line, `webhook ${what === 'replayed' ? 'replayed' : 'for no prediction of ours'}`);
    else log.warn(line, 'webhook refused');
  };
  const refuse = (res: ServerResponse, status: number, what: WebhookOutcome, error: string, fields: Record<string, unknown> = {}) => {
    reply(res, status, { error });
    outcome(what, { status, ...fields });
  };

  return takesBody(async (req, res) => {
    if (req.method !== 'POST') {
      refuseBody(req, res, 405, { error: 'method not allowed' }, { allow: 'POST' });
      return;
    }
    const body = await readBody(req, maxWebhookBytes);
    if (body === 'too-large') {
      refuseBody(req, res, 413, { error: 'body too large' });
      outcome('oversized', { status: 413 });
      return;
    }
    if (body === 'aborted') return;
    const id = header(req, 'webhook-id');
    const timestamp = header(req, 'webhook-timestamp');
    const signature = header(req, 'webhook-signature');
    if (!id || id.length > 200 || !timestamp || !/^\d{1,12}$/.test(timestamp)) {
      return refuse(res, 400, 'malformed', 'missing or malformed webhook-id or webhook-timestamp');
    }
    if (!signature) return refuse(res, 401, 'bad-signature', 'missing signature', { webhookId: id });
    let payload: unknown;
    try {
      payload = verifier.verify(body, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature });
    } catch (err) {
      if (err instanceof WebhookVerificationError) {
        const stale = /timestamp too (old|new)/i.test(err.message);
        return refuse(res, 401, stale ? 'stale' : 'bad-signature', stale ? 'timestamp outside the window' : 'bad signature', { webhookId: id });
      }
      // Signed, but not JSON.
      return refuse(res, 400, 'malformed', 'body is not JSON', { webhookId: id });
    }
    if (!isPrediction(payload)) return refuse(res, 400, 'malformed', 'body is not a prediction', { webhookId: id });
    reply(res, 200, { ok: true });
    const owner = ownerOf(req.url ?? '');
    const fields = { webhookId: id, predictionId: payload.id, status: payload.status };
    if (owner !== options.owner) return outcome('unknown-prediction', { ...fields, owner });
    try {
      if (!(await options.ids.claim(id, clock.now()))) return outcome('replayed', fields);
    } catch (err) {
      // A store that fails must not lose the news; a replay of a genuine webhook moves no status backwards anyway.
      log.warn({ ...fields, err }, 'webhook id not recorded; taking the webhook');
    }
    outcome(options.inbox.deliver(payload) ? 'verified' : 'unknown-prediction', fields);
  });
}

/** The last path segment (`/webhooks/replicate/<owner>`), decoded; '' when it does not decode. */
function ownerOf(url: string): string {
  try {
    return decodeURIComponent(url.split('?')[0]!.split('/').pop() ?? '');
  } catch {
    return '';
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function isPrediction(value: unknown): value is Prediction {
  const p = value as Partial<Prediction> | null;
  return typeof p === 'object' && p !== null && typeof p.id === 'string' && p.id !== '' && typeof p.status === 'string';
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const raw = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(raw)), ...headers });
  res.end(raw);
}
