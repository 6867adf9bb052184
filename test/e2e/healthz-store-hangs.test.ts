import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/keyv-store.js';
import { probe } from '../harness/http-probe.js';
import { useWorld } from '../harness/use-world.js';

/** A store whose reads of meta values never answer while `hang` is set: a server that accepts and never replies. */
function hangingReads(store: Store): { store: Store; hang: boolean; release(): void } {
  const waiting: (() => void)[] = [];
  const control = {
    hang: false,
    release() {
      control.hang = false;
      for (const resume of waiting.splice(0)) resume();
    },
    store: new Proxy(store, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop !== 'getMeta' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return async (key: string) => {
          if (control.hang) await new Promise<void>((resume) => waiting.push(resume));
          return (value as Store['getMeta']).call(target, key);
        };
      },
    }),
  };
  return control;
}

let hanging: ReturnType<typeof hangingReads> | undefined;
const world = useWorld({ env: { HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' } });

describe('/healthz with a store that hangs', () => {
  it('answers 503 naming the store (timeout) within 2 s, and 200 once the store answers again', async () => {
    await world().bot.stop();
    world().wrapStore = (store) => (hanging = hangingReads(store)).store;
    await world().startBot();
    const port = world().bot.http!.port;
    expect((await probe(port, '/healthz')).status).toBe(200);

    hanging!.hang = true;
    // One read answers for every probe during a second: the next second's probe meets the hang.
    world().clock.jump(1_000);
    const answer = await probe(port, '/healthz');
    expect(answer.status).toBe(503);
    expect(answer.tookMs).toBeLessThan(2_000);
    expect(JSON.parse(answer.text)).toMatchObject({
      status: 'failing',
      failing: ['store'],
      gateway: { connected: true },
      store: { ok: false, error: 'timeout' },
    });

    hanging!.release();
    world().clock.jump(1_000);
    const back = await probe(port, '/healthz');
    expect(back.status).toBe(200);
    expect(JSON.parse(back.text)).toMatchObject({ status: 'ok', store: { ok: true } });
  });
});
