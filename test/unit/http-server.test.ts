import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startHttpServer, type HttpRoute, type HttpServer } from '../../src/ops/http-server.js';
import { freePort } from '../harness/free-port.js';

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
  const start = async (routes: Record<string, HttpRoute>, port = 0) => {
    const { log, lines } = capture();
    server = await startHttpServer({ port, host: '127.0.0.1', routes, log });
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
});
