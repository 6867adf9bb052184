import { request } from 'node:http';
import type { Prediction } from 'replicate';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { startHttpServer, type HttpServer } from '../../src/ops/http-server.js';
import { createPredictionInbox, type PredictionInbox } from '../../src/replicate/prediction-inbox.js';
import { createWebhookReceiver, maxWebhookBytes, type WebhookOutcome } from '../../src/replicate/webhook-receiver.js';
import { WebhookRecords } from '../../src/storage/webhook-records.js';
import { MemoryStore } from '../harness/memory-store.js';
import { LogSink } from '../harness/log-sink.js';
import { postWhole } from '../harness/post-whole.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const signer = new Webhook(secret);

interface Setup {
  server: HttpServer;
  inbox: PredictionInbox;
  outcomes: WebhookOutcome[];
  logs: LogSink;
}

let setup: Setup;
let ids: { claim(id: string, now: number): Promise<boolean> };

beforeEach(async () => {
  const logs = new LogSink();
  const log = createLogger({ level: 'debug', secrets: [secret], bare: true, destination: logs });
  const inbox = createPredictionInbox(systemClock);
  const outcomes: WebhookOutcome[] = [];
  ids = new WebhookRecords(new MemoryStore());
  const receiver = createWebhookReceiver({
    secret,
    owner: 'main',
    inbox,
    ids: { claim: (id, now) => ids.claim(id, now) },
    clock: systemClock,
    log,
    onOutcome: (o) => outcomes.push(o),
  });
  const server = await startHttpServer({ port: 0, host: '127.0.0.1', routes: { '/webhooks/replicate': receiver }, log });
  setup = { server, inbox, outcomes, logs };
});

afterEach(() => setup.server.close());

function send(
  body: string | Buffer | AsyncIterable<Buffer>,
  headers: Record<string, string>,
  { path = '/webhooks/replicate/main', method = 'POST' } = {},
): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: setup.server.port, path, method, headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, ms: Date.now() - started });
    });
    req.on('error', reject);
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    void (async () => {
      for await (const chunk of body) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      req.end();
    })().catch(() => undefined);
  });
}

function signed(body: string, id = `msg_${Math.random().toString(36).slice(2)}`, at = new Date()): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signer.sign(id, at, body) };
}

const prediction = (status: string) => JSON.stringify({ id: 'r8abc', status, output: status === 'succeeded' ? 'https://x/y.mp4' : null });

describe('the webhook receiver', () => {
  it('hands a verified prediction to the wait that expects it, and answers 200', async () => {
    setup.inbox.expect('r8abc', true);
    const body = prediction('succeeded');
    expect((await send(body, signed(body))).status).toBe(200);
    const delivered = (await setup.inbox.next('r8abc', 1_000)) as Prediction;
    expect(delivered).toMatchObject({ id: 'r8abc', status: 'succeeded' });
    expect(setup.outcomes).toEqual(['verified']);
  });

  it('answers 200 and ignores a prediction this process does not hold, or another owner’s', async () => {
    const body = prediction('succeeded');
    expect((await send(body, signed(body))).status).toBe(200);
    setup.inbox.expect('r8abc', true);
    expect((await send(body, signed(body), { path: '/webhooks/replicate/shard-3' })).status).toBe(200);
    expect((await send(body, signed(body), { path: '/webhooks/replicate/%E0%A4%A' })).status).toBe(200);
    await waitFor(() => setup.outcomes.length === 3);
    expect(setup.outcomes).toEqual(['unknown-prediction', 'unknown-prediction', 'unknown-prediction']);
    expect(await setup.inbox.next('r8abc', 10)).toBeUndefined();
  });

  it('refuses a body past 1 MiB sent without a length (chunked) with 413, without reading the rest', async () => {
    let sent = 0;
    async function* endless(): AsyncIterable<Buffer> {
      // Far more than the cap: the receiver must answer long before the sender would finish.
      for (let i = 0; i < 64; i++) {
        sent += 64 * 1024;
        yield Buffer.alloc(64 * 1024, 0x20);
      }
    }
    const answer = await send(endless(), { 'content-type': 'application/json', ...signed('x') });
    expect(answer.status).toBe(413);
    expect(sent).toBeLessThan(4 * 1024 * 1024);
    expect(setup.outcomes).toEqual(['oversized']);
  });

  it('answers 413 to a signed 2 MB body, and a sender that reads only once its body is out reads it every time', async () => {
    const body = JSON.stringify({ id: 'r8abc', status: 'processing', logs: 'x'.repeat(2 * 1024 * 1024) });
    for (let i = 0; i < 8; i++) {
      const answer = await postWhole(setup.server.port, '/webhooks/replicate/main', { 'content-type': 'application/json', ...signed(body) }, body);
      expect(answer).toMatchObject({ status: 413, text: expect.stringContaining('{"error":"body too large"}') });
    }
    expect(setup.outcomes).toEqual(Array(8).fill('oversized'));
  });

  it('takes a body of exactly 1 MiB', async () => {
    setup.inbox.expect('r8abc', true);
    const head = prediction('processing').slice(0, -1);
    const body = `${head},"logs":"${'x'.repeat(maxWebhookBytes - head.length - 11)}"}`;
    expect(Buffer.byteLength(body)).toBe(maxWebhookBytes);
    expect((await send(body, signed(body))).status).toBe(200);
  });

  it('refuses a signature in another version than v1, and one for another body', async () => {
    const body = prediction('succeeded');
    const headers = signed(body);
    const v2 = { ...headers, 'webhook-signature': headers['webhook-signature']!.replace(/^v1,/, 'v2,') };
    expect((await send(body, v2)).status).toBe(401);
    expect((await send(prediction('failed'), headers)).status).toBe(401);
    expect(setup.outcomes).toEqual(['bad-signature', 'bad-signature']);
  });

  it('refuses a timestamp more than 5 minutes in the future as stale', async () => {
    const body = prediction('succeeded');
    expect((await send(body, signed(body, 'msg_future', new Date(Date.now() + 6 * 60_000)))).status).toBe(401);
    expect(setup.outcomes).toEqual(['stale']);
  });

  it('answers at once while the store that records ids hangs', async () => {
    setup.inbox.expect('r8abc', true);
    ids = { claim: () => new Promise<boolean>(() => undefined) };
    const body = prediction('succeeded');
    const answer = await send(body, signed(body));
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(1_000);
  });

  it('takes the webhook when the store fails to record its id, with a warning', async () => {
    setup.inbox.expect('r8abc', true);
    ids = { claim: () => Promise.reject(new Error('store unavailable')) };
    const body = prediction('succeeded');
    expect((await send(body, signed(body))).status).toBe(200);
    expect(await setup.inbox.next('r8abc', 1_000)).toMatchObject({ status: 'succeeded' });
    expect(setup.logs.find('webhook id not recorded; taking the webhook')).toHaveLength(1);
  });

  it('answers 405 to anything but POST, and the server 404 to another path', async () => {
    expect((await send('', {}, { method: 'GET' })).status).toBe(405);
    expect((await send('', {}, { path: '/webhooks/other' })).status).toBe(404);
    expect(setup.logs.text).not.toContain(secret);
  });
});

async function waitFor(probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
