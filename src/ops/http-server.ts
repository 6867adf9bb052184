import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';
import { refuseBody } from './request-body.js';

/** One path's handler. It answers the request itself (status, headers, body); a throw or rejection answers 500. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Routes that read a request body (the webhooks); every other route refuses one unread (see `startHttpServer`). */
const bodyRoutes = new WeakSet<HttpRoute>();

/** Marks a route as one that reads the request's body. */
export function takesBody<R extends HttpRoute>(route: R): R {
  bodyRoutes.add(route);
  return route;
}

export interface HttpServer {
  /** The port listened on: the one asked for, or the one the OS chose for port 0. */
  readonly port: number;
  /** Connections open now. */
  readonly connections: number;
  /** Stops listening and drops idle keep-alive connections; resolves once the server is closed. */
  close(): Promise<void>;
}

export interface HttpServerOptions {
  /** 1–65535, or 0 for a free port chosen by the OS (tests). */
  port: number;
  /** Default 0.0.0.0 (every interface, as a container needs). */
  host?: string;
  /**
   * Routes by path prefix on whole segments: '/webhooks/replicate' serves '/webhooks/replicate' and
   * '/webhooks/replicate/3', never '/webhooks/replicatex'. The longest matching prefix wins; the query is ignored.
   */
  routes: Record<string, HttpRoute>;
  log: Logger;
  /** Connections held at once (default 256, `HTTP_MAX_CONNECTIONS`); past it a new one is closed on arrival. */
  maxConnections?: number;
}

/** A client gets this long to send its request's headers, and this long for the whole request. */
const headersTimeoutMs = 10_000;
const requestTimeoutMs = 30_000;
/** What is still read of a body refused on a path that takes none, so the client reads the answer (request-body.ts). */
const strayBodyDrain = { bytes: 1024 * 1024, ms: 2_000 };

/**
 * The bot's HTTP port (`HTTP_PORT`): health, metrics, webhooks. Plain node:http: a few routes, and the raw body
 * stays the route's to read (webhook signatures are computed over it). Unknown path: 404; a route that fails: 500,
 * logged once with the path (never the query, which could carry a secret). A body on a route not marked `takesBody`
 * (a GET with a body, a POST to /healthz) is refused with 413 before the route runs, and one off every route with
 * 404; neither is kept (at most 1 MiB is read and dropped, so that the client reads the answer). At most
 * `maxConnections` are held at once, and a request must arrive whole within 30 s (its headers within 10 s), so a
 * client cannot pin the port.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { log } = options;
  const prefixes = Object.keys(options.routes)
    .map((p) => p.replace(/\/+$/, '') || '/')
    .sort((a, b) => b.length - a.length);
  const routeOf = (path: string): HttpRoute | undefined => {
    const found = prefixes.find((p) => p === '/' || path === p || path.startsWith(`${p}/`));
    return found === undefined ? undefined : (options.routes[found] ?? options.routes[`${found}/`]);
  };

  const server = createServer({ headersTimeout: headersTimeoutMs, requestTimeout: requestTimeoutMs }, (req, res) => {
    const path = pathOf(req.url);
    const route = routeOf(path);
    if (hasBody(req) && !(route && bodyRoutes.has(route))) {
      const [status, error] = route ? [413, 'no body accepted on this path'] : [404, 'not found'];
      refuseBody(req, res, status, { error }, {}, strayBodyDrain);
      return;
    }
    if (!route) {
      answer(res, 404, { error: 'not found' });
      return;
    }
    Promise.resolve()
      .then(() => route(req, res))
      .catch((err: unknown) => {
        log.error({ err, path, method: req.method }, 'http route failed');
        if (!res.headersSent) answer(res, 500, { error: 'internal error' });
        else res.destroy();
      });
  });
  // A client that sends garbage or vanishes is its own problem: answered 400 by node, never a crash.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  const maxConnections = options.maxConnections ?? 256;
  server.maxConnections = maxConnections;
  let connections = 0;
  let atCap = false;
  server.on('connection', (socket) => {
    connections++;
    socket.once('close', () => {
      connections--;
      if (connections < maxConnections) atCap = false;
    });
  });
  // Node closes a connection past the cap on arrival; said once per spell at the cap, not per connection.
  server.on('drop', () => {
    if (atCap) return;
    atCap = true;
    log.warn({ maxConnections }, 'http connections at the cap; refusing new ones');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  log.info({ port, host: options.host ?? '0.0.0.0', routes: prefixes }, 'http server listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    get connections() {
      return connections;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // A scrape or webhook still being answered gets a moment; then its connection goes too.
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      });
      return closing;
    },
  };
}

/** Whether the request carries a body: a length above 0, or one sent chunked. */
function hasBody(req: IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

/** The path without query or fragment; '/' for anything unparsable. */
function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split(/[?#]/, 1)[0]!;
  return path.startsWith('/') ? path : '/';
}

/** A small JSON answer. */
export function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
