import { connect } from 'node:net';

const chunkBytes = 64 * 1024;

export interface WholeAnswer {
  /** The status of the answer, or the error the socket met before the answer could be read (e.g. ECONNRESET). */
  status: number | string;
  text: string;
}

/**
 * POST as a plain HTTP/1.1 client that sends its whole body before it reads anything (as curl or a proxy does),
 * 64 KiB at a time as a network link would carry it (a loopback socket would take 2 MB in one go): the answer is
 * read only once every byte was handed to the connection. An answer the server sent early and then reset the
 * connection under (closed with the body unread) is lost here, as it is for such a client.
 */
export function postWhole(port: number, path: string, headers: Record<string, string>, body: string | Buffer): Promise<WholeAnswer> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const head = [`POST ${path} HTTP/1.1`, 'host: 127.0.0.1', `content-length: ${bytes.length}`, 'connection: close']
    .concat(Object.entries(headers).map(([k, v]) => `${k}: ${v}`))
    .join('\r\n');
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (answer: WholeAnswer) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(answer);
    };
    // Nothing is read until the body is out: what the server answered meanwhile waits in the socket's buffer.
    socket.pause();
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => settle({ status: err.code ?? err.message, text: Buffer.concat(chunks).toString() }));
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      settle({ status: status ? Number(status) : 'no answer', text });
    });
    socket.write(`${head}\r\n\r\n`);
    void (async () => {
      for (let at = 0; at < bytes.length && !settled; at += chunkBytes) {
        await new Promise<void>((done) => socket.write(bytes.subarray(at, at + chunkBytes), () => done()));
        await new Promise((next) => setTimeout(next, 1));
      }
      socket.resume();
    })();
  });
}
