import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy in front of a stand-in that passes every request through, except the ones `hold` picks:
 * those reach the stand-in (and take effect there) but their answer is never sent back. A bot killed while it
 * waits for such an answer crashed after its request took effect and before it learned the result.
 */
export interface HoldingProxy {
  /** `http://127.0.0.1:PORT`: the stand-in's paths work unchanged under it. */
  readonly origin: string;
  /** Answers processed by the stand-in and withheld so far. */
  readonly held: number;
  close(): Promise<void>;
}

export async function startHoldingProxy(
  targetOrigin: string,
  hold: (method: string, path: string) => boolean,
): Promise<HoldingProxy> {
  const target = new URL(targetOrigin);
  let held = 0;
  const server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () => {
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (answer: IncomingMessage) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            if (hold(req.method ?? 'GET', req.url ?? '/')) {
              held += 1;
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(chunks));
          });
        },
      );
      upstream.on('error', () => res.socket?.destroy());
      upstream.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get held() {
      return held;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
