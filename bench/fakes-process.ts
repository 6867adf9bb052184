/**
 * The stand-ins in a process of their own, so that their work (building and sending gateway frames, parsing
 * requests, recording everything) does not compete with the bot for its event loop. Started by bench/lib/fakes.ts
 * with `node --import tsx`; driven over the IPC channel with `{ id, method, args }` calls.
 */
import { FakeWorld, type FakeWorldOptions } from './lib/fake-world.js';

interface Call {
  id: number;
  method: string;
  args: unknown[];
}

let world: FakeWorld | undefined;

async function dispatch(call: Call): Promise<unknown> {
  if (call.method === 'start') {
    world = await FakeWorld.start(call.args[0] as FakeWorldOptions);
    return world.endpoints();
  }
  if (call.method === 'memory') return process.memoryUsage();
  if (!world) throw new Error('fakes not started');
  const target = world as unknown as Record<string, (...args: unknown[]) => unknown>;
  const fn = target[call.method];
  if (typeof fn !== 'function') throw new Error(`no method ${call.method}`);
  const result = await fn.apply(world, call.args);
  if (call.method === 'close') setImmediate(() => process.exit(0));
  return result;
}

process.on('message', (message: Call) => {
  dispatch(message).then(
    (result) => process.send?.({ id: message.id, result }),
    (err: unknown) => process.send?.({ id: message.id, error: String((err as Error)?.stack ?? err) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ id: 0, result: 'ready' });
