import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeCdn } from './cdn.js';
import type { FakeEnv } from './env.js';
import type { FaultInjector } from './faults.js';
import { errors, readBody, writeReply, type Reply } from './http.js';
import { findRoute, type Route, type RouteContext } from './router.js';

const API_PREFIX = '/api/v10';
/** Every response carries a roomy, never-exhausted bucket, so only injected 429s make discord.js wait. */
const BUCKET_LIMIT = 5;

function rateLimitHeaders(routeName: string, now: number): Record<string, string> {
  return {
    'x-ratelimit-limit': String(BUCKET_LIMIT),
    'x-ratelimit-remaining': String(BUCKET_LIMIT - 1),
    'x-ratelimit-reset': ((now + 1000) / 1000).toFixed(3),
    'x-ratelimit-reset-after': '1.000',
    'x-ratelimit-bucket': createHash('sha1').update(routeName).digest('hex').slice(0, 16),
  };
}

/** Replaces the token segment of interaction and webhook paths with `:token`. */
export function redactPath(path: string): string {
  return path
    .replace(/(\/interactions\/\d+\/)[^/]+/, '$1:token')
    .replace(/(\/webhooks\/\d+\/)[^/?]+/, '$1:token');
}

function safeHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = name === 'authorization' ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Checks the bot token for authenticated routes, then runs the route; a throwing route is a 500, not a crash. */
async function answer(route: Route, ctx: RouteContext, botToken: string): Promise<Reply> {
  if (route.auth === 'bot' && ctx.headers.authorization !== `Bot ${botToken}`) return errors.unauthorized();
  try {
    return await route.handle(ctx);
  } catch (err) {
    return { status: 500, json: { code: 0, message: `500: fake route threw: ${String(err)}` } };
  }
}

export interface ServerParts {
  env: FakeEnv;
  routes: Route[];
  cdn: FakeCdn;
  faults: FaultInjector;
}

/** The HTTP side: CDN downloads, then fault injection, auth and the route table for `/api/v10`. */
export function createRequestHandler(parts: ServerParts): (req: IncomingMessage, res: ServerResponse) => void {
  const { env } = parts;
  return (req, res) => {
    const now = env.clock.now();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const record = (status: number, route: string | undefined, violation?: string): void => {
      env.state.requests.push({
        method,
        path: redactPath(url.pathname),
        query: url.search,
        status,
        at: now,
        headers: safeHeaders(req),
        route,
        unexpected: route === undefined,
        ...(violation === undefined ? {} : { invalidBody: violation }),
      });
    };
    void (async () => {
      const body = await readBody(req);
      if (method === 'GET' && url.pathname.startsWith('/attachments/')) {
        const file = parts.cdn.serve(url.pathname, url.searchParams);
        record(file.status, 'GET /attachments/:channel/:id/:filename');
        const headers = { 'content-type': file.contentType, 'content-length': String(file.body.length) };
        res.writeHead(file.status, headers).end(file.body);
        return;
      }
      const path = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : undefined;
      const found = path === undefined ? undefined : findRoute(parts.routes, method, path);
      const routeName = found?.route.name;
      const ctx = { params: found?.params ?? [], query: url.searchParams, headers: req.headers, body, now };
      const hasFile = /^multipart\/form-data/.test(req.headers['content-type'] ?? '') && body.includes('name="files[');
      const fault = found ? parts.faults.take(method, url.pathname, hasFile, body) : undefined;
      if (fault && 'hang' in fault) {
        // Read, perhaps applied, never answered: the client's own timeout is all that ends it.
        const landed = fault.hang === 'after-landing' ? await answer(found!.route, ctx, env.botToken) : undefined;
        record(0, routeName, landed?.violation);
        return;
      }
      const reply = fault
        ? fault.reply
        : found
          ? await answer(found.route, ctx, env.botToken)
          : errors.notFound();
      record(reply.status, routeName, reply.violation);
      writeReply(res, reply, rateLimitHeaders(routeName ?? 'unmatched', now));
    })().catch((err: unknown) => {
      // The client gave up on the request (a bot stopping mid-edit closes its sockets): nothing left to answer, and
      // not a request without a route.
      if (req.destroyed || res.destroyed) {
        record(0, 'client gone');
        return;
      }
      record(500, undefined);
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  };
}
