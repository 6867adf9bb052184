import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { startHttpServer, takesBody, type HttpRoute, type HttpServer } from '../../src/ops/http-server.js';
import { freePort } from '../harness/free-port.js';
import { postWhole } from '../harness/post-whole.js';

function capture() {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', secrets: [], bare: true, destination: { write: (s: string) => lines.push(s) } });
  return { log, lines };
}

const says =
  (text: string): HttpRoute =>
  (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${text} ${req.url}`);
  };

describe('the HTTP server', () => {
  let server: HttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const start = async (routes: Record<string, HttpRoute>, port = 0, maxConnections?: number) => {
    const { log, lines } = capture();
    server = await startHttpServer({ port, host: '127.0.0.1', routes, log, ...(maxConnections ? { maxConnections } : {}) });
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${server!.port}${path}`);
      return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
    };
    return { get, lines };
  };

  it('routes by whole path segments, the longest prefix first, and ignores the query', async () => {
    const { get } = await start({ '/webhooks': says('all'), '/webhooks/replicate': says('replicate'), '/healthz': says('h') });
    expect(await get('/healthz')).toMatchObject({ status: 200, text: 'h /healthz' });
    expect(await get('/healthz?verbose=1')).toMatchObject({ status: 200, text: 'h /healthz?verbose=1' });
    expect(await get('/webhooks/replicate/3')).toMatchObject({ status: 200, text: 'replicate /webhooks/replicate/3' });
    expect(await get('/webhooks/other')).toMatchObject({ status: 200, text: 'all /webhooks/other' });
    expect((await get('/healthzx')).status).toBe(404);
  });

  it('answers 404 with JSON for a path it has no route for', async () => {
    const { get } = await start({ '/metrics': says('m') });
    const answer = await get('/nothing/here');
    expect(answer.status).toBe(404);
    expect(answer.type).toMatch(/^application\/json/);
    expect(JSON.parse(answer.text)).toEqual({ error: 'not found' });
  });

  it('answers 500 for a route that throws or rejects, logs it once with the path, and keeps serving', async () => {
    const { get, lines } = await start({
      '/boom': () => {
        throw new Error('kaput');
      },
      '/later': () => Promise.reject(new Error('late kaput')),
      '/ok': says('fine'),
    });
    expect(await get('/boom?token=secret-in-query')).toMatchObject({ status: 500, text: '{"error":"internal error"}' });
    expect((await get('/later')).status).toBe(500);
    expect((await get('/ok')).status).toBe(200);
    const failed = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'http route failed');
    expect(failed.map((l) => l.path)).toEqual(['/boom', '/later']);
    expect(lines.join('')).not.toContain('secret-in-query');
  });

  it('listens on the port asked for, or on one the OS picks for port 0', async () => {
    const port = await freePort();
    await start({ '/x': says('x') }, port);
    expect(server!.port).toBe(port);
    await server!.close();
    await start({ '/x': says('x') });
    expect(server!.port).toBeGreaterThan(0);
    expect(server!.port).not.toBe(port);
  });

  it('closes although a client keeps its connection alive, and refuses connections afterwards', async () => {
    const { get } = await start({ '/x': says('x') });
    expect((await get('/x')).status).toBe(200); // fetch keeps the connection open for reuse
    const port = server!.port;
    await server!.close();
    server = undefined;
    await expect(fetch(`http://127.0.0.1:${port}/x`)).rejects.toThrow();
  });

  it('refuses a body on a path that takes none (413, or 404 off every route) without running the route, answered whole', async () => {
    let ran = 0;
    const { get } = await start({
      '/healthz': (_req, res) => void (ran++, res.writeHead(200).end('ok')),
      '/webhooks': takesBody((req, res) => void req.resume().once('end', () => res.writeHead(200).end('taken'))),
    });
    const body = 'x'.repeat(200 * 1024);
    const refused = await postWhole(server!.port, '/healthz', {}, body);
    expect(refused).toMatchObject({ status: 413, text: expect.stringContaining('{"error":"no body accepted on this path"}') });
    expect(refused.text).toMatch(/connection: close/i);
    expect((await postWhole(server!.port, '/nothing', {}, body)).status).toBe(404);
    expect(ran).toBe(0);
    expect((await postWhole(server!.port, '/webhooks/x', {}, body)).status).toBe(200);
    expect(await get('/healthz')).toMatchObject({ status: 200, text: 'ok' });
  });

  it('refuses a GET that carries a body, sent with a length or chunked', async () => {
    let ran = 0;
    await start({ '/metrics': (_req, res) => void (ran++, res.writeHead(200).end('m')) });
    const url = `http://127.0.0.1:${server!.port}/metrics`;
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'GET', headers: { 'transfer-encoding': 'chunked' } }, (res) => resolve((res.resume(), res.statusCode ?? 0)));
      req.on('error', reject);
      req.end('a body on a GET');
    });
    expect(chunked).toBe(413);
    const withLength = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'GET', headers: { 'content-length': '5' } }, (res) => resolve((res.resume(), res.statusCode ?? 0)));
      req.on('error', reject);
      req.end('hello');
    });
    expect(withLength).toBe(413);
    expect(ran).toBe(0);
  });

  it('holds at most maxConnections connections at once, logs once when it turns one away, and serves again once one closes', async () => {
    const { get, lines } = await start({ '/x': says('x') }, 0, 2);
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect({ port: server!.port, host: '127.0.0.1' }, () => resolve(socket));
        socket.on('error', reject);
      });
    const idle = [await open(), await open()];
    await waitUntil(() => server!.connections === 2);
    // The third connection is closed by the server at once: the request gets no answer.
    await expect(get('/x')).rejects.toThrow();
    await expect(get('/x')).rejects.toThrow();
    const refused = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'http connections at the cap; refusing new ones');
    expect(refused).toMatchObject([{ maxConnections: 2 }]);
    idle[0]!.destroy();
    await waitUntil(() => server!.connections === 1);
    expect(await get('/x')).toMatchObject({ status: 200 });
    idle[1]!.destroy();
  });
});

async function waitUntil(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((next) => setTimeout(next, 5));
  }
}
