import { randomInt } from 'node:crypto';

/** What the next created prediction will do (queued with `fake.script`). */
export interface PredictionScript {
  /** Clock time from creation to the end; defaults to the fake's `defaultDurationMs`. */
  durationMs?: number;
  outcome?: 'succeeded' | 'failed';
  /** The model's error text when the outcome is `failed`. */
  error?: string;
  /** Bytes of the mp4 the prediction outputs. */
  output?: Buffer;
}

/** One prediction the fake holds: its status is computed from the clock whenever it is read. */
export interface FakePrediction {
  id: string;
  model: string;
  /** `"hidden"` for an official model (the default); a community model's version id. */
  version?: string;
  /** The input exactly as the create body carried it. */
  input: Record<string, unknown>;
  createdAt: number;
  durationMs: number;
  outcome: 'succeeded' | 'failed';
  error: string | undefined;
  output: Buffer;
  /** Bytes the model "received" as its first frame (`start_image`, else `image`), once resolved. */
  startImage: Buffer | undefined;
  /** Bytes of every `format: uri` input the model fetched, by field. */
  inputFiles?: Record<string, Buffer>;
  /** Input keys the model's schema lacks that it ignored (models that do not refuse them). */
  ignoredFields?: string[];
  canceledAt: number | undefined;
  /** The `webhook` URL of the create, if any. */
  webhook?: string | undefined;
  /** Its `webhook_events_filter` (Replicate's default: output and completed). */
  webhookEvents?: string[];
}

export type Status = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newPredictionId(): string {
  let id = 'r8';
  for (let i = 0; i < 26; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}

export function startOf(p: FakePrediction): number {
  return p.createdAt + Math.round(p.durationMs / 10);
}

/** When the prediction reached (or will reach) its terminal status. */
export function endOf(p: FakePrediction): number {
  const natural = p.createdAt + p.durationMs;
  return p.canceledAt !== undefined && p.canceledAt < natural ? p.canceledAt : natural;
}

export function statusAt(p: FakePrediction, now: number): Status {
  // A cancel is only accepted while running, so a set `canceledAt` always ends the prediction early.
  if (now >= endOf(p)) return p.canceledAt !== undefined ? 'canceled' : p.outcome;
  return now < startOf(p) ? 'starting' : 'processing';
}

export function isRunning(p: FakePrediction, now: number): boolean {
  const status = statusAt(p, now);
  return status === 'starting' || status === 'processing';
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The prediction as Replicate's API shows it at `now`. */
export function toPredictionJson(p: FakePrediction, now: number, origin: string, retentionMs: number) {
  const status = statusAt(p, now);
  const terminal = status !== 'starting' && status !== 'processing';
  const end = endOf(p);
  const removed = terminal && now >= end + retentionMs;
  const started = now >= startOf(p) && startOf(p) < end ? startOf(p) : undefined;
  const api = `${origin}/v1/predictions/${p.id}`;
  return {
    id: p.id,
    model: p.model,
    version: p.version ?? 'hidden',
    input: removed ? {} : p.input,
    logs: removed || started === undefined ? '' : terminal ? 'Generating video...\nDone.\n' : 'Generating video...\n',
    output: status === 'succeeded' && !removed ? `${origin}/files-out/${p.id}.mp4` : null,
    data_removed: removed,
    error: status === 'failed' ? (p.error ?? 'Prediction failed') : null,
    source: 'api',
    status,
    created_at: iso(p.createdAt),
    started_at: started === undefined ? null : iso(started),
    completed_at: terminal ? iso(end) : null,
    urls: {
      cancel: `${api}/cancel`,
      get: api,
      web: `https://replicate.com/p/${p.id}`,
    },
    metrics: terminal && started !== undefined ? { predict_time: (end - started) / 1000, total_time: (end - p.createdAt) / 1000 } : {},
  };
}
