import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../../src/clock.js';
import * as h from './handlers.js';
import { ModelCatalogue, type FakeModels } from './model-catalogue.js';
import * as m from './model-handlers.js';
import { endOf, type FakePrediction, type PredictionScript } from './prediction.js';
import { sampleVideo } from './sample-video.js';
import { route } from './routes.js';
import { WebhookSender } from './webhooks.js';
import { notFound, problem, type Fault, type FakeState, type RecordedRequest, type Reply, type RouteName } from './state.js';

export type { Fault, RecordedRequest, RouteName } from './state.js';
export type { FakePrediction, PredictionScript } from './prediction.js';
export type { FakeModels, NewModel, ReadFault } from './model-catalogue.js';
export type { ComponentSchemas, UnknownFields } from './schema-check.js';
export type { RawWebhook, WebhookDelivery, WebhookTamper } from './webhooks.js';

export interface FakeReplicateOptions {
  /** Time for prediction lifecycles and request records (default: the system clock). */
  clock?: Clock;
  token?: string;
  /** Creation to end of a prediction that was not scripted (default 3000 ms). */
  defaultDurationMs?: number;
  /** How long after the end a prediction keeps its input and output (default one hour, like Replicate). */
  retentionMs?: number;
  /** Predictions per list page (default 100). */
  pageSize?: number;
  /** List predictions without their `input` (the API reference does not promise it there). */
  listWithoutInput?: boolean;
  /** Reads `POST /v1/files` bodies at this many bytes per second of real time (a slow uplink); default: at once. */
  uploadBytesPerSecond?: number;
}

/**
 * How Replicate is unreachable during an outage: `refused` closes the listening socket (connect fails with
 * ECONNREFUSED, open keep-alive connections are dropped); `reset` destroys the socket of every request unanswered;
 * a `status` answers every request with it. `processed` lets each request take effect first (a create is made, then
 * answered with the fault), as a Replicate whose front fails after its back end did the work.
 */
export type Outage = { refused: true } | { reset: true; processed?: boolean } | { status: 500 | 502 | 503; processed?: boolean };

export interface FakeReplicate {
  /** `http://127.0.0.1:PORT/v1`: pass it as the real client's `baseUrl`. */
  baseUrl: string;
  token: string;
  /** Every prediction created, oldest first, with the input it received. */
  predictions: readonly FakePrediction[];
  requests: readonly RecordedRequest[];
  /** Queues the scenario of the next created prediction. */
  script(scenario: PredictionScript): void;
  /** Makes the next request(s) to `route` fail with a status or a reset socket. */
  failNext(fault: Fault): void;
  /** Makes Replicate unreachable (every route, the output files included) until `restore()`. */
  outage(kind: Outage): Promise<void>;
  /** Ends the outage: Replicate answers again on the same address. */
  restore(): Promise<void>;
  /** Bytes the model received as its first frame (`start_image`, else `image`). */
  startImageBytes(predictionId: string): Buffer | undefined;
  /** Bytes the model received for any `format: uri` input field. */
  inputFileBytes(predictionId: string, field: string): Buffer | undefined;
  /**
   * The models served at `GET /v1/models/{owner}/{name}` (fixtures in `models/`: five official, one community),
   * each create checked against its schema; change a schema, add or remove a model, or fail model reads.
   */
  models: FakeModels;
  /** Replicate's webhooks: the signing secret it serves, what it sent, and ways to drop, forge, delay or replay. */
  webhooks: WebhookSender;
  requestCount(route?: RouteName): number;
  /** Most predictions running (created, not yet ended) at any one time so far: the account's concurrency. */
  maxRunning(): number;
  /** Throws when any request hit no route. */
  assertNoUnexpectedRequests(): void;
  close(): Promise<void>;
}

const throttled = (seconds: number): Reply => ({
  ...problem(429, 'Request was throttled', `Request was throttled. Your rate limit resets in ~${seconds}s.`),
  headers: { 'content-type': 'application/problem+json', 'retry-after': String(seconds) },
});

function faultReply(status: NonNullable<Fault['status']>, retryAfterSeconds: number | undefined): Reply {
  switch (status) {
    case 429:
      return throttled(retryAfterSeconds ?? 1);
    case 401:
      return problem(401, 'Unauthenticated', 'You did not pass a valid authentication token');
    case 403:
      return problem(403, 'Forbidden', 'You do not have permission to perform this action.');
    case 404:
      return notFound();
    case 402:
      return problem(402, 'Insufficient credit', 'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit. Once you purchase credit, please wait a few minutes before trying again.');
    default:
      return problem(status, status === 500 ? 'Internal server error' : 'Service unavailable', 'Something went wrong. Please try again.');
  }
}

async function handle(state: FakeState, name: RouteName, params: string[], req: IncomingMessage, body: Buffer, url: URL) {
  const p = params[0] ?? '';
  switch (name) {
    case 'create':
      // Both create routes share the name: a fault injected on `create` hits whichever the bot uses.
      return h.createPrediction(state, body, (parsed) => (params.length > 0 ? m.targetOfModelRoute(state, p) : m.targetOfVersion(state, parsed.version)));
    case 'model-get': return m.getModel(state, p);
    case 'model-versions': return m.getVersions(state, p, params[1]);
    case 'get': return h.getPrediction(state, p);
    case 'cancel': return h.cancelPrediction(state, p);
    case 'list': return h.listPredictions(state, url.searchParams.get('cursor'));
    case 'files': return h.uploadFile(state, req.headers['content-type'] ?? '', body);
    case 'file-get': return h.getFile(state, p, false);
    case 'file-download': return h.getFile(state, p, true);
    case 'file-delete': return h.deleteFile(state, p);
    case 'files-list': return h.listFiles(state);
    case 'output': return h.serveOutput(state, p);
    case 'webhook-secret': return { status: 200, body: { key: state.webhooks.secret } };
    default: return problem(404, 'Not found', 'The requested resource could not be found.');
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const raw = reply.body === undefined ? undefined : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(JSON.stringify(reply.body));
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  res.end(raw);
}

export async function startFakeReplicate(options: FakeReplicateOptions = {}): Promise<FakeReplicate> {
  const clock = options.clock ?? systemClock;
  const faults: Fault[] = [];
  const requests: RecordedRequest[] = [];
  const retentionMs = options.retentionMs ?? 3_600_000;
  const state: FakeState = {
    clock,
    token: options.token ?? 'r8_fake_token',
    origin: '',
    baseUrl: '',
    defaultDurationMs: options.defaultDurationMs ?? 3_000,
    retentionMs,
    pageSize: options.pageSize ?? 100,
    listWithoutInput: options.listWithoutInput ?? false,
    predictions: [],
    files: new Map(),
    scripts: [],
    defaultOutput: await sampleVideo(),
    webhooks: new WebhookSender(clock, () => state.origin, retentionMs),
    models: new ModelCatalogue(clock),
  };

  let outage: Outage | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const rate = options.uploadBytesPerSecond;
    const slow = rate !== undefined && req.method === 'POST' && req.url === '/v1/files';
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      if (!slow) return;
      req.pause();
      setTimeout(() => req.resume(), (c.length / rate) * 1000);
    });
    req.on('end', () => {
      void serve(req, res, Buffer.concat(chunks)).catch((err: unknown) => {
        if (!res.headersSent) send(res, problem(500, 'Internal server error', String(err)));
      });
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', state.origin);
    const method = req.method ?? 'GET';
    const { name, params } = route(method, url.pathname);
    const record: RecordedRequest = { method, path: url.pathname + url.search, route: name, status: 0, time: clock.now() };
    requests.push(record);
    const fault = outageFault(name) ?? readFault(name) ?? takeFault(name);
    if (fault && !fault.processed) return fail(res, record, fault);
    const authorized = req.headers.authorization === `Bearer ${state.token}`;
    const reply =
      name !== 'output' && name !== 'unexpected' && !authorized
        ? problem(401, 'Unauthenticated', 'You did not pass a valid authentication token')
        : await handle(state, name, params, req, body, url);
    if (fault) return fail(res, record, fault);
    record.status = reply.status;
    send(res, reply);
  }

  function outageFault(name: RouteName): Fault | undefined {
    if (!outage || 'refused' in outage) return undefined;
    return 'reset' in outage ? { route: name, reset: true, processed: outage.processed ?? false } : { route: name, ...outage };
  }

  function readFault(name: RouteName): Fault | undefined {
    const fault = state.models.readFault;
    return fault && (name === 'model-get' || name === 'model-versions') ? { route: name, ...fault } : undefined;
  }

  function takeFault(name: RouteName): Fault | undefined {
    const index = faults.findIndex((f) => f.route === name);
    const fault = faults[index];
    if (!fault) return undefined;
    const left = (fault.times ?? 1) - 1;
    if (left <= 0) faults.splice(index, 1);
    else faults[index] = { ...fault, times: left };
    return fault;
  }

  function fail(res: ServerResponse, record: RecordedRequest, fault: Fault): void {
    if (fault.reset) {
      res.socket?.destroy();
      return;
    }
    const status = fault.status ?? 500;
    const reply = faultReply(status, fault.retryAfterSeconds);
    if (status !== 429 && fault.retryAfterSeconds !== undefined) reply.headers = { ...reply.headers, 'retry-after': String(fault.retryAfterSeconds) };
    record.status = status;
    send(res, reply);
  }

  const listen = (at: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  state.origin = `http://127.0.0.1:${port}`;
  state.baseUrl = `${state.origin}/v1`;

  return {
    baseUrl: state.baseUrl,
    token: state.token,
    predictions: state.predictions,
    requests,
    script: (scenario) => void state.scripts.push(scenario),
    failNext: (fault) => void faults.push(fault),
    async outage(kind) {
      if (outage) throw new Error('the fake Replicate is already in an outage');
      outage = kind;
      if ('refused' in kind) await stopListening();
    },
    async restore() {
      const ended = outage;
      outage = undefined;
      if (ended && 'refused' in ended) await listen(port);
    },
    webhooks: state.webhooks,
    startImageBytes: (id) => state.predictions.find((p) => p.id === id)?.startImage,
    inputFileBytes: (id, field) => state.predictions.find((p) => p.id === id)?.inputFiles?.[field],
    models: state.models,
    requestCount: (name) => requests.filter((r) => name === undefined || r.route === name).length,
    maxRunning: () => maxOverlap(state.predictions.map((p) => [p.createdAt, endOf(p)])),
    assertNoUnexpectedRequests() {
      const unexpected = requests.filter((r) => r.route === 'unexpected');
      if (unexpected.length > 0) {
        throw new Error(`fake Replicate got requests it has no route for: ${unexpected.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      }
    },
    close: async () => {
      await state.webhooks.close();
      if (server.listening) await stopListening();
    },
  };
}

/** Most intervals [start, end) open at once; an end at the same time as a start closes first. */
function maxOverlap(intervals: [number, number][]): number {
  const events = intervals.flatMap(([start, end]): [number, number][] => [[start, 1], [end, -1]]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, step] of events) most = Math.max(most, (open += step));
  return most;
}
