import { hostname } from 'node:os';
import pino from 'pino';
import { expect, it } from 'vitest';
import { openBackend } from '../../src/storage/keyv-store.js';
import { useWorld } from '../harness/use-world.js';

const world = useWorld();

it('a bot whose store lease another process took over stops working', async () => {
  const w = world();
  // Another process on another host, started once this bot's lease looked expired to it (this bot was paused or
  // cut off from the store past the 30 s TTL), holds the lease now.
  const backend = await openBackend(w.config.storageUrl, pino({ level: 'silent' }));
  const successor = { holder: 'successor', host: 'other-host', pid: 4242 };
  try {
    // (The store decides expiry on its own clock, which the test cannot move: the successor names the holder it
    // replaces, as it would once that lease expired.)
    const live = await backend.claimLease({ owner: 'main', me: successor, ttlMs: 30_000 });
    const state = await backend.claimLease({ owner: 'main', me: successor, ttlMs: 30_000, replacing: live.holder });
    expect(state.holder).toEqual(successor);
  } finally {
    await backend.close();
  }

  // The bot's next renewal, 10 s on, finds it.
  w.clock.jump(10_000);
  await w.logs.waitFor('bot stopped');
  expect(w.logs.find('another bot process took over the store lease')).toMatchObject([
    { level: 50, owner: 'main', host: 'other-host', pid: 4242 },
  ]);
  expect(hostname()).not.toBe('other-host');
});
