import type { Clock } from '../../../src/clock.js';
import type { FakeFile } from './files.js';
import type { ModelCatalogue } from './model-catalogue.js';
import type { FakePrediction, PredictionScript } from './prediction.js';
import type { WebhookSender } from './webhooks.js';

export type RouteName =
  | 'create'
  | 'get'
  | 'cancel'
  | 'list'
  | 'files'
  | 'file-get'
  | 'file-download'
  | 'file-delete'
  | 'files-list'
  | 'output'
  | 'webhook-secret'
  | 'model-get'
  | 'model-versions'
  | 'unexpected';

export interface RecordedRequest {
  method: string;
  path: string;
  route: RouteName;
  /** 0 when the fake destroyed the socket instead of answering. */
  status: number;
  /** Clock time the request arrived. */
  time: number;
}

export interface Fault {
  route: RouteName;
  /** 401/403: the token refused; 402: the account out of credit; 404: a glitch that knows nothing; 429: throttled; 5xx: Replicate failing. */
  status?: 401 | 402 | 403 | 404 | 429 | 500 | 502 | 503;
  retryAfterSeconds?: number;
  /** How many requests in a row get this fault (default 1). */
  times?: number;
  /** Destroy the socket instead of answering: the client sees a network error. */
  reset?: boolean;
  /** Let the request take effect first (a prediction is created, a cancel lands), then fail the answer. */
  processed?: boolean;
}

/** A reply the handlers build; the server sends it, or swaps it for an injected fault. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeState {
  clock: Clock;
  token: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  baseUrl: string;
  defaultDurationMs: number;
  retentionMs: number;
  pageSize: number;
  listWithoutInput: boolean;
  predictions: FakePrediction[];
  files: Map<string, FakeFile>;
  scripts: PredictionScript[];
  defaultOutput: Buffer;
  webhooks: WebhookSender;
  models: ModelCatalogue;
}

export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: { title, detail, status, ...extra },
  };
}

export const notFound = (): Reply => problem(404, 'Not found', 'The requested resource could not be found.');
