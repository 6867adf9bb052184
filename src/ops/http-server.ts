import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';

/** One path's handler. It answers the request itself (status, headers, body); a throw or rejection answers 500. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServer {
  /** The port listened on: the one asked for, or the one the OS chose for port 0. */
  readonly port: number;
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
}

/**
 * The bot's HTTP port (`HTTP_PORT`): health, metrics, webhooks. Plain node:http: a few routes, and the raw body
 * stays the route's to read (webhook signatures are computed over it). Unknown path: 404; a route that fails: 500,
 * logged once with the path (never the query, which could carry a secret).
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

  const server = createServer((req, res) => {
    const path = pathOf(req.url);
    const route = routeOf(path);
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
