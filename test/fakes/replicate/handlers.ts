import { newFileId, parseUpload, toFileJson } from './files.js';
import { isRunning, newPredictionId, toPredictionJson, endOf, type FakePrediction } from './prediction.js';
import { notFound, problem, type FakeState, type Reply } from './state.js';
import type { CreateTarget } from './model-handlers.js';
import { checkInput, resolveProperty, toCogletBody, toValidationDetail, type ComponentSchemas, type JsonSchema } from './schema-check.js';

export function predictionReply(state: FakeState, p: FakePrediction, status = 200): Reply {
  return { status, body: toPredictionJson(p, state.clock.now(), state.origin, state.retentionMs) };
}

/**
 * Creates a prediction once `target` (given the parsed body) names the model and version to run: the input is
 * checked against that version's schema, as Replicate does before it accepts a create.
 */
export async function createPrediction(
  state: FakeState,
  body: Buffer,
  target: (parsed: Record<string, unknown>) => CreateTarget | Reply,
): Promise<Reply> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return problem(400, 'Bad request', 'The request body is not valid JSON.');
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const run = target(fields);
  if (!('schemas' in run)) return run;
  const input = fields.input;
  const { invalid, unknown } = checkInput(input, run.schemas, run.unknownFields);
  if (invalid.length > 0) {
    return problem(422, 'Input validation failed', toValidationDetail(invalid), { invalid_fields: invalid });
  }
  if (unknown.length > 0 && run.unknownFields === 'reject-coglet') return { status: 422, body: toCogletBody(unknown) };
  const values = input as Record<string, unknown>;
  const { webhook, webhook_events_filter: filter } = fields;
  if (webhook !== undefined && (typeof webhook !== 'string' || !URL.canParse(webhook))) {
    return problem(422, 'Input validation failed', '- webhook: Invalid URL', { invalid_fields: [{ type: 'url', field: 'webhook', description: 'Invalid URL' }] });
  }
  const events = filter === undefined ? ['output', 'completed'] : filter;
  if (!Array.isArray(events) || !events.every((e) => ['start', 'output', 'logs', 'completed'].includes(e as string))) {
    return problem(422, 'Input validation failed', '- webhook_events_filter: invalid event');
  }
  const script = state.scripts.shift() ?? {};
  const prediction: FakePrediction = {
    id: newPredictionId(),
    model: run.model,
    version: run.version,
    input: values,
    createdAt: state.clock.now(),
    durationMs: script.durationMs ?? state.defaultDurationMs,
    outcome: script.outcome ?? 'succeeded',
    error: script.error,
    output: script.output ?? state.defaultOutput,
    startImage: undefined,
    canceledAt: undefined,
    webhook,
    webhookEvents: events as string[],
    ...(unknown.length > 0 ? { ignoredFields: unknown } : {}),
  };
  await fetchInputFiles(state, prediction, run.schemas);
  state.predictions.push(prediction);
  state.webhooks.created(prediction);
  return predictionReply(state, prediction, 201);
}

/** Fetches every `format: uri` input the way the model would; the first it cannot fetch fails the run. */
async function fetchInputFiles(state: FakeState, prediction: FakePrediction, schemas: ComponentSchemas): Promise<void> {
  const properties = ((schemas.Input?.properties ?? {}) as Record<string, JsonSchema>);
  const files: Record<string, Buffer> = {};
  for (const [field, value] of Object.entries(prediction.input)) {
    const property = Object.hasOwn(properties, field) ? properties[field] : undefined;
    if (typeof value !== 'string' || !property || resolveProperty(property, schemas).format !== 'uri') continue;
    const bytes = await fetchInputFile(state, field, value);
    if (typeof bytes === 'string') {
      prediction.outcome = 'failed';
      prediction.error = bytes;
      prediction.durationMs = Math.min(prediction.durationMs, 2_000);
      break;
    }
    files[field] = bytes;
  }
  prediction.inputFiles = files;
  prediction.startImage = files.start_image ?? files.image;
}

/** What bytes the model would have downloaded for `field`, or the error a real model run would report. */
async function fetchInputFile(state: FakeState, field: string, uri: string): Promise<Buffer | string> {
  const filesPrefix = `${state.baseUrl}/files/`;
  if (uri.startsWith(filesPrefix)) {
    const id = uri.slice(filesPrefix.length).replace(/\/download$/, '');
    return state.files.get(id)?.bytes ?? `Failed to download ${field}: file not found (404)`;
  }
  if (uri.startsWith('data:')) {
    const comma = uri.indexOf(',');
    if (comma < 0) return `Failed to decode ${field}: malformed data URI`;
    const head = uri.slice(5, comma);
    const data = uri.slice(comma + 1);
    return head.endsWith(';base64') ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data), 'utf8');
  }
  if (!/^https?:/.test(uri)) return `Failed to download ${field}: unsupported URL scheme`;
  try {
    const response = await fetch(uri, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return `Failed to download ${field}: HTTP ${response.status}`;
    return Buffer.from(await response.arrayBuffer());
  } catch (err) {
    return `Failed to download ${field}: ${(err as Error).message}`;
  }
}

export function getPrediction(state: FakeState, id: string): Reply {
  const p = state.predictions.find((x) => x.id === id);
  return p ? predictionReply(state, p) : notFound();
}

export function cancelPrediction(state: FakeState, id: string): Reply {
  const p = state.predictions.find((x) => x.id === id);
  if (!p) return notFound();
  const now = state.clock.now();
  if (isRunning(p, now)) {
    p.canceledAt = now;
    state.webhooks.canceled(p);
  }
  return predictionReply(state, p);
}

/** Newest first; `cursor` is the offset of the page, as opaque base64 like Replicate's. */
export function listPredictions(state: FakeState, cursor: string | null): Reply {
  const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) || 0 : 0;
  const newest = [...state.predictions].reverse();
  const page = newest.slice(offset, offset + state.pageSize);
  const link = (at: number) => `${state.baseUrl}/predictions?cursor=${Buffer.from(String(at)).toString('base64url')}`;
  const now = state.clock.now();
  return {
    status: 200,
    body: {
      next: offset + state.pageSize < newest.length ? link(offset + state.pageSize) : null,
      previous: offset > 0 ? link(Math.max(0, offset - state.pageSize)) : null,
      results: page.map((p) => {
        const json = toPredictionJson(p, now, state.origin, state.retentionMs);
        if (!state.listWithoutInput) return json;
        const { input: _input, ...rest } = json;
        return rest;
      }),
    },
  };
}

export async function uploadFile(state: FakeState, contentType: string, body: Buffer): Promise<Reply> {
  const file = await parseUpload(contentType, body, newFileId(), state.clock.now());
  if (typeof file === 'string') return problem(400, 'Bad request', file);
  state.files.set(file.id, file);
  return { status: 201, body: toFileJson(file, state.baseUrl) };
}

export function getFile(state: FakeState, id: string, download: boolean): Reply {
  const file = state.files.get(id);
  if (!file) return notFound();
  if (!download) return { status: 200, body: toFileJson(file, state.baseUrl) };
  return { status: 200, headers: { 'content-type': file.contentType }, body: file.bytes };
}

export function deleteFile(state: FakeState, id: string): Reply {
  return state.files.delete(id) ? { status: 204 } : notFound();
}

export function listFiles(state: FakeState): Reply {
  const results = [...state.files.values()].reverse().map((f) => toFileJson(f, state.baseUrl));
  return { status: 200, body: { next: null, previous: null, results } };
}

/** Output mp4s are public like replicate.delivery URLs, and gone once the prediction's data is removed. */
export function serveOutput(state: FakeState, id: string): Reply {
  const p = state.predictions.find((x) => x.id === id);
  const now = state.clock.now();
  if (!p || p.canceledAt !== undefined || p.outcome !== 'succeeded' || now < endOf(p) || now >= endOf(p) + state.retentionMs) {
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('Not Found') };
  }
  return { status: 200, headers: { 'content-type': 'video/mp4' }, body: p.output };
}
