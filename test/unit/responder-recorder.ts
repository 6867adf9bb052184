import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REST } from 'discord.js';
import pino from 'pino';
import type { Job } from '../../src/queue/job.js';

/** One request as the loopback server saw it; multipart bodies are split into payload_json and files. */
export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  auth: string | undefined;
  json: Record<string, unknown> | undefined;
  files: { key: string; name: string; type: string; bytes: Buffer }[];
}

export type Answer = { status: number; body?: unknown; raw?: Buffer; headers?: Record<string, string> };
export type Handler = (req: Recorded) => Answer | undefined;

/** An answer that never comes. */
export const hang: Answer = Object.freeze({ status: 0 });

/** A Discord JSON error answer: `{code, message}` with its HTTP status. */
export const discordError = (status: number, code: number, message: string): Answer => ({
  status,
  body: { code, message },
});

/**
 * A small loopback stand-in for Discord REST (and a file host): records every request and answers through
 * handlers; a request no handler answers gets a 404 Discord error and fails the test through `unexpected`.
 */
export async function startRecorder() {
  const requests: Recorded[] = [];
  const unexpected: Recorded[] = [];
  const handlers: Handler[] = [];
  let nextId = 700000000000000000n;

  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    const type = req.headers['content-type'] ?? '';
    const recorded: Recorded = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      auth: req.headers.authorization,
      json: undefined,
      files: [],
    };
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      for (const [key, value] of form.entries()) {
        if (typeof value === 'string') recorded.json = JSON.parse(value) as Record<string, unknown>;
        else {
          const bytes = Buffer.from(await value.arrayBuffer());
          recorded.files.push({ key, name: value.name, type: value.type, bytes });
        }
      }
    } else if (type.includes('json') && raw.length > 0) {
      recorded.json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    }
    requests.push(recorded);
    let answer: Answer | undefined;
    for (const handler of [...handlers].reverse()) {
      answer = handler(recorded);
      if (answer) break;
    }
    if (!answer) {
      unexpected.push(recorded);
      answer = { status: 404, body: { code: 0, message: '404: Not Found' } };
    }
    // `hang`: read, never answered (a stalled upload); the client's timeout ends it, close() drops the socket.
    if (answer === hang) return;
    const body = answer.raw ?? Buffer.from(JSON.stringify(answer.body ?? {}));
    res.writeHead(answer.status, { 'content-type': answer.raw ? 'video/mp4' : 'application/json', ...answer.headers });
    res.end(answer.status === 204 ? undefined : body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    base,
    requests,
    unexpected,
    /** Later handlers win over earlier ones. */
    on(handler: Handler) {
      handlers.push(handler);
    },
    /** Answers every `method path` request (a message id when no answer is given). */
    answer(method: string, path: string, answer?: Answer) {
      handlers.push((r) =>
        r.method === method && r.path === path ? (answer ?? { status: 200, body: { id: String(nextId++) } }) : undefined,
      );
    },
    newId: () => String(nextId++),
    rest: () => new REST({ version: '10', api: `${base}/api`, retries: 0 }).setToken('bot-token'),
    discord: () => requests.filter((r) => r.path.startsWith('/api/')),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type Recorder = Awaited<ReturnType<typeof startRecorder>>;

export function captureLog() {
  const lines: string[] = [];
  const log = pino({ base: undefined, timestamp: false, level: 'debug' }, { write: (s: string) => void lines.push(s) });
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Waits (in real time) for a condition, failing after a deadline: no fixed sleeps. */
export async function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const ids = {
  app: '300000000000000003',
  channel: '500000000000000005',
  user: '200000000000000002',
  token: 'tok-SECRET-aW50ZXJhY3Rpb24',
};

export function makeJob(now: number, patch: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    guildId: '100000000000000001',
    userId: ids.user,
    seq: 1,
    state: 'queued',
    request: { prompt: 'a cat surfing @everyone' },
    seconds: 5,
    reply: {
      applicationId: ids.app,
      interactionId: '400000000000000004',
      interactionToken: ids.token,
      interactionAt: now,
      channelId: ids.channel,
      attachmentSizeLimit: 10 * 1024 * 1024,
    },
    createdAt: now,
    updatedAt: now,
    ...patch,
  };
}

export const paths = {
  original: `/api/v10/webhooks/${ids.app}/${ids.token}/messages/@original`,
  followUp: `/api/v10/webhooks/${ids.app}/${ids.token}`,
  channelMessages: `/api/v10/channels/${ids.channel}/messages`,
};
