import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy, type ProxyFault } from '../harness/fault-proxy.js';

let target: Server | undefined;
let proxy: FaultProxy | undefined;
const received: string[] = [];

/** A stand-in that records each request's body and answers with a URL on its own origin. */
async function startTarget(): Promise<string> {
  target = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
      const origin = `http://${req.headers.host}`;
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: `${origin}/v1/files/abc` }));
    });
  });
  await new Promise<void>((resolve) => target!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
}

async function through(fault: ProxyFault | undefined, options = {}) {
  const origin = await startTarget();
  proxy = await startFaultProxy(origin, () => fault, options);
  return { origin, proxy };
}

afterEach(async () => {
  await proxy?.close();
  await new Promise<void>((resolve) => (target ? target.close(() => resolve()) : resolve()));
  target = undefined;
  proxy = undefined;
  received.length = 0;
});

describe('the fault proxy in front of a stand-in', () => {
  it('passes requests through unchanged when no fault is chosen', async () => {
    const { proxy } = await through(undefined);
    const res = await fetch(`${proxy.origin}/v1/things`, { method: 'POST', body: 'hello' });
    expect(res.status).toBe(201);
    expect(received).toEqual(['POST /v1/things hello']);
    expect(proxy.injected).toEqual([]);
  });

  it('answers an error without the stand-in ever seeing the request', async () => {
    const { proxy } = await through({ kind: 'answer', label: 'x 503', status: 503, json: { detail: 'down' } });
    const res = await fetch(`${proxy.origin}/v1/things`, { method: 'POST', body: 'hello' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ detail: 'down' });
    expect(received).toEqual([]);
    expect(proxy.counts()).toEqual({ 'x 503': 1 });
  });

  it('lets an accepted-then-500 request take effect at the stand-in before answering 500', async () => {
    const { proxy } = await through({ kind: 'answer-after', label: 'create 500', status: 500, json: {} });
    const res = await fetch(`${proxy.origin}/v1/predictions`, { method: 'POST', body: '{"input":{}}' });
    expect(res.status).toBe(500);
    expect(received).toEqual(['POST /v1/predictions {"input":{}}']);
  });

  it('resets the connection, before or after forwarding, as a network error the client sees', async () => {
    const { proxy } = await through({ kind: 'reset-after', label: 'reset' });
    await expect(fetch(`${proxy.origin}/v1/x`, { method: 'POST', body: 'a' })).rejects.toThrow(/fetch failed/);
    expect(received).toHaveLength(1);
  });

  it('holds a hung request until the client gives up, without forwarding it', async () => {
    const { proxy } = await through({ kind: 'hang', label: 'hang' });
    await expect(fetch(`${proxy.origin}/upload`, { method: 'POST', body: 'big', signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(received).toEqual([]);
  });

  it("rewrites the stand-in's URLs to the proxy's in answers and back in request bodies", async () => {
    const { origin, proxy } = await through(undefined, { rewriteOrigin: true });
    const res = await fetch(`${proxy.origin}/v1/files`, { method: 'POST', body: `{"start_image":"${proxy.origin}/v1/files/abc"}` });
    expect(await res.json()).toEqual({ url: `${proxy.origin}/v1/files/abc` });
    expect(received).toEqual([`POST /v1/files {"start_image":"${origin}/v1/files/abc"}`]);
  });

  it('tells tagged senders apart: the /p<N> prefix is stripped, handed to decide, and kept in the URLs it answers', async () => {
    const origin = await startTarget();
    const tags: (string | undefined)[] = [];
    proxy = await startFaultProxy(origin, (r) => void tags.push(r.tag), { rewriteOrigin: true, tagged: true });
    const res = await fetch(`${proxy.origin}/p3/v1/files`, { method: 'POST', body: 'bytes' });
    const { url } = (await res.json()) as { url: string };
    expect(url).toBe(`${proxy.origin}/p3/v1/files/abc`);
    // The tagged URL the sender was given goes back to the stand-in as the stand-in's own.
    await fetch(`${proxy.origin}/p3/v1/predictions`, { method: 'POST', body: JSON.stringify({ image: url }) });
    await fetch(`${proxy.origin}/v1/untagged`);
    expect(received).toEqual(['POST /v1/files bytes', `POST /v1/predictions {"image":"${origin}/v1/files/abc"}`, 'GET /v1/untagged ']);
    expect(tags).toEqual(['p3', 'p3', undefined]);
  });
});
