import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askShard, IpcTimeout } from '../../src/sharding/ipc.js';

const childFile = fileURLToPath(new URL('../harness/ipc-answering-child.ts', import.meta.url));

describe('questions from the sharding manager to a shard over IPC', () => {
  let child: ChildProcess;
  beforeAll(async () => {
    child = fork(childFile, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await new Promise<void>((resolve) => child.once('message', () => resolve()));
  });
  afterAll(() => {
    child.kill();
  });

  it('get their own answers, even when several are asked at once and answered out of order', async () => {
    const [slow, fast] = await Promise.all([
      askShard<string>(child, 'slow', null, 5_000),
      askShard<{ echoed: unknown; pid: number }>(child, 'echo', { shard: 1 }, 5_000),
    ]);
    expect(slow).toBe('late');
    expect(fast).toEqual({ echoed: { shard: 1 }, pid: child.pid });
  });

  it("are answered with the shard's error line when its handler fails or the question is unknown", async () => {
    await expect(askShard(child, 'broken', null, 5_000)).rejects.toThrow('the store did not answer');
    await expect(askShard(child, 'nonsense', null, 5_000)).rejects.toThrow("unknown question 'nonsense'");
  });

  it('give up after the timeout when nobody answers, leaving no listener behind', async () => {
    const silent = { send: () => true, on: () => silent, off: () => silent };
    await expect(askShard(silent, 'echo', null, 50)).rejects.toBeInstanceOf(IpcTimeout);
    expect(child.listenerCount('message')).toBe(0);
  });
});
