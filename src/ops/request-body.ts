import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The raw body as text; 'too-large' as soon as it passes `limit` bytes (declared or counted), with the rest left
 * unread for `refuseBody`; 'aborted' when the client went away. Shared by every route that reads a body (the
 * webhook receiver, the sharding manager's webhook forwarder).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string | 'too-large' | 'aborted'> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', () => resolve('aborted'));
    req.once('aborted', () => resolve('aborted'));
  });
}

export interface DrainLimits {
  /** Most bytes still read (and thrown away) after the answer (default 8 MiB); past it the connection is cut. */
  bytes?: number;
  /** Longest wait for the client to finish sending (default 5 s); past it the connection is cut. */
  ms?: number;
}

/**
 * Answers a request whose body is refused (413, or any body where none belongs) before the body is read, without
 * losing that answer. Closing a socket with unread bytes makes TCP reset the connection, and a client still
 * sending then meets the reset before it reads the answer (seen with a 2 MB webhook). So the whole answer goes out
 * at once, marked `connection: close`, and the response is ended (which closes the connection) only once the
 * client has finished sending, its bytes read and dropped; a client that sends more than `limits.bytes` or takes
 * longer than `limits.ms` is cut off.
 */
export function refuseBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  limits: DrainLimits = {},
): void {
  const { bytes = 8 * 1024 * 1024, ms = 5_000 } = limits;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    connection: 'close',
    ...headers,
  });
  res.write(text);
  if (req.readableEnded || req.complete) {
    res.end();
    return;
  }
  let drained = 0;
  let done = false;
  const finish = (cut: boolean) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.off('data', count);
    if (cut) {
      res.end();
      res.destroy();
      return;
    }
    res.end();
  };
  const count = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > bytes) finish(true);
  };
  const timer = setTimeout(() => finish(true), ms);
  timer.unref?.();
  req.on('data', count);
  req.once('end', () => finish(false));
  req.once('error', () => finish(true));
  req.once('close', () => finish(!req.complete));
  req.resume();
}
