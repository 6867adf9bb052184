import { describe, expect, it } from 'vitest';
import { probe, probeUntil } from '../harness/http-probe.js';
import { useWorld } from '../harness/use-world.js';

const world = useWorld({ env: { HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' } });

describe('/healthz when the gateway connection is lost', () => {
  it('answers 503 naming the gateway until discord.js is connected again, then 200', async () => {
    const port = world().bot.http!.port;
    expect((await probe(port, '/healthz')).status).toBe(200);

    // The gateway closes the connection; discord.js reconnects (and resumes or identifies) on its own.
    world().discord.disconnectGateway(4009);
    const lost = await probeUntil(port, '/healthz', (a) => a.status === 503, { description: '/healthz 503' });
    expect(JSON.parse(lost.text)).toMatchObject({
      status: 'failing',
      failing: ['gateway'],
      gateway: { connected: false },
      store: { ok: true },
    });

    const back = await probeUntil(port, '/healthz', (a) => a.status === 200, { description: '/healthz 200 again' });
    expect(JSON.parse(back.text)).toMatchObject({ status: 'ok', gateway: { connected: true, shards: [{ id: 0, status: 0 }] } });
    expect(world().discord.identifyCount + world().discord.resumeCount).toBe(2);
  }, 30_000);
});
