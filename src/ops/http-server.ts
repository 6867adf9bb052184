import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';

/**
 * The bot's HTTP server (webhooks; health and metrics come with the operations work). A minimal version with the
 * agreed interface: routes match the path by prefix, an unknown path is 404, a route that throws is 500 and logged.
 */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  /** 0 takes any free port (tests); `port` then says which. */
  port: number;
  /** Default 0.0.0.0. */
  host?: string;
  /** Path prefix → route, e.g. '/webhooks/replicate'. The longest matching prefix wins. */
  routes: Record<string, HttpRoute>;
  log: Logger;
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { log } = options;
  const prefixes = Object.keys(options.routes).sort((a, b) => b.length - a.length);
  const routeOf = (path: string): HttpRoute | undefined => {
    const prefix = prefixes.find((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
    return prefix === undefined ? undefined : options.routes[prefix];
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = routeOf(path);
    if (!route) {
      answer(res, 404, { error: 'not found' });
      req.resume();
      return;
    }
    Promise.resolve()
      .then(() => route(req, res))
      .catch((err: unknown) => {
        log.error({ err, path }, 'http route failed');
        if (!res.headersSent) answer(res, 500, { error: 'internal error' });
        else res.destroy();
      });
  });
  // A slow or idle client never holds a socket for long.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  log.info({ port, host: options.host ?? '0.0.0.0' }, 'http server listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const raw = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(raw)), ...headers });
  res.end(raw);
}
