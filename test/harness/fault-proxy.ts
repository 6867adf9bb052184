import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy in front of a stand-in (bot → proxy → fake) that injects network faults on the wire, so the
 * bot's real clients meet them as they would meet them from Discord or Replicate:
 *   answer        an HTTP error answered by the proxy; the stand-in never sees the request
 *   reset         the connection is destroyed before the request is forwarded (a network error)
 *   answer-after  the request is forwarded and takes effect at the stand-in, then its answer is replaced
 *                 (a create that Replicate accepted but answered 5xx)
 *   reset-after   forwarded and taken effect, then the connection is destroyed instead of answering
 *   hang          the request is read and never answered or forwarded: the client times out (a stalled upload)
 * `decide` sees each request (method, path, headers, body) and returns the fault, if any.
 */
export interface ProxiedRequest {
  method: string;
  /** Path with the query (without a `/p<N>` tag prefix, see `FaultProxyOptions.tagged`). */
  path: string;
  /** The sender's tag, `p<N>`, when the proxy is `tagged` and the path carried one. */
  tag?: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** When its headers arrived (epoch ms): a large body may finish long after the sender began. */
  startedAt: number;
}

export interface ErrorAnswer {
  status: number;
  headers?: Record<string, string>;
  /** JSON body. */
  json?: unknown;
}

export type ProxyFault = { label: string } & (
  | ({ kind: 'answer' } & ErrorAnswer)
  | { kind: 'reset' }
  | ({ kind: 'answer-after' } & ErrorAnswer)
  | { kind: 'reset-after' }
  | { kind: 'hang' }
);

export interface InjectedProxyFault {
  label: string;
  kind: ProxyFault['kind'];
  method: string;
  path: string;
  at: number;
}

export interface FaultProxyOptions {
  /**
   * Rewrite the stand-in's origin to the proxy's in answers, and back in request bodies, so that URLs the stand-in
   * hands out (Replicate's file and output URLs) also lead through the proxy. Off for Discord, whose gateway URL must
   * stay the stand-in's (the proxy does not carry WebSockets).
   */
  rewriteOrigin?: boolean;
  /**
   * Paths may start with `/p<N>` (a client configured with `${origin}/p<N>/…`): the prefix is stripped before the
   * request is decided and forwarded and handed to `decide` as `tag`, and URLs rewritten into the answer keep it, so
   * each of several bot processes is told apart on the wire, downloads of the URLs it was given included.
   */
  tagged?: boolean;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`: the stand-in's paths work unchanged under it. */
  readonly origin: string;
  /** Every fault injected so far, in order. */
  readonly injected: readonly InjectedProxyFault[];
  /** Requests passed through (faulted ones included). */
  readonly requests: number;
  /** Injected faults by label. */
  counts(): Record<string, number>;
  close(): Promise<void>;
}

export async function startFaultProxy(
  targetOrigin: string,
  decide: (request: ProxiedRequest) => ProxyFault | undefined,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const target = new URL(targetOrigin);
  const injected: InjectedProxyFault[] = [];
  let requests = 0;
  let origin = '';
  const rewrite = (body: Buffer, from: string, to: string): Buffer =>
    options.rewriteOrigin && body.includes(from) ? Buffer.from(body.toString('utf8').split(from).join(to)) : body;
  /** The proxy's own URLs in a request body, tagged or not, back to the stand-in's. */
  const unrewrite = (body: Buffer): Buffer =>
    options.rewriteOrigin && body.includes(origin)
      ? Buffer.from(body.toString('utf8').replace(new RegExp(`${origin.replace(/[.]/g, '\\.')}(/p\\d+)?`, 'g'), target.origin))
      : body;

  function sendError(res: ServerResponse, answer: ErrorAnswer): void {
    const body = answer.json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(answer.json));
    res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': String(body.length), ...answer.headers });
    res.end(body);
  }

  function forward(
    req: IncomingMessage,
    path: string,
    body: Buffer,
    onAnswer: (answer: IncomingMessage, body: Buffer) => void,
    onError: () => void,
  ): void {
    const sent = unrewrite(body);
    const headers = { ...req.headers, host: target.host };
    if (headers['content-length'] !== undefined) headers['content-length'] = String(sent.length);
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => onAnswer(answer, Buffer.concat(chunks)));
        answer.on('error', onError);
      },
    );
    upstream.on('error', onError);
    upstream.end(sent);
  }

  const server = createServer((req, res) => {
    const startedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests++;
      const body = Buffer.concat(chunks);
      const method = req.method ?? 'GET';
      const tagMatch = options.tagged ? /^\/(p\d+)(\/.*)$/.exec(req.url ?? '/') : null;
      const tag = tagMatch?.[1];
      const path = tagMatch?.[2] ?? req.url ?? '/';
      const fault = decide({ method, path, headers: req.headers, body, startedAt, ...(tag ? { tag } : {}) });
      if (fault) injected.push({ label: fault.label, kind: fault.kind, method, path, at: Date.now() });
      if (fault?.kind === 'answer') return sendError(res, fault);
      if (fault?.kind === 'reset') return void req.socket.destroy();
      if (fault?.kind === 'hang') return;
      forward(
        req,
        path,
        body,
        (answer, answerBody) => {
          if (fault?.kind === 'answer-after') return sendError(res, fault);
          if (fault?.kind === 'reset-after') return void req.socket.destroy();
          const out = rewrite(answerBody, target.origin, tag ? `${origin}/${tag}` : origin);
          const headers = { ...answer.headers };
          delete headers['transfer-encoding'];
          headers['content-length'] = String(out.length);
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(out);
        },
        () => req.socket.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    get injected() {
      return injected;
    },
    get requests() {
      return requests;
    },
    counts() {
      const counts: Record<string, number> = {};
      for (const f of injected) counts[f.label] = (counts[f.label] ?? 0) + 1;
      return counts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
