import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startHttpServer, type HttpServer } from '../../src/ops/http-server.js';
import { LogSink } from '../harness/log-sink.js';

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the HTTP server', () => {
  it('routes by path prefix, answers 404 elsewhere and 500 (logged) for a route that throws', async () => {
    const logs = new LogSink();
    const log = createLogger({ level: 'info', secrets: [], bare: true, destination: logs });
    server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      log,
      routes: {
        '/webhooks/replicate': (req, res) => void res.end(`hook ${req.url}`),
        '/boom': () => {
          throw new Error('route broke');
        },
      },
    });
    const at = (path: string) => fetch(`http://127.0.0.1:${server!.port}${path}`, { method: 'POST' });

    const hook = await at('/webhooks/replicate/main?x=1');
    expect([hook.status, await hook.text()]).toEqual([200, 'hook /webhooks/replicate/main?x=1']);
    expect((await at('/webhooks/replicatex')).status).toBe(404);
    expect((await at('/')).status).toBe(404);
    expect((await at('/boom')).status).toBe(500);
    expect(logs.find('http route failed')).toMatchObject([{ path: '/boom', err: { message: 'route broke' } }]);
  });
});
