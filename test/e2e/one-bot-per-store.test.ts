import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { spawnBot } from '../harness/bot-process.js';
import { useProcessWorld } from '../harness/use-world.js';

describe('one bot per store', () => {
  const world = useProcessWorld();

  it('a second npm start on the same store refuses with one line saying where the first one runs', async () => {
    const first = await world().startBot();
    const second = spawnBot(world().env());
    world().processes.push(second);
    const exit = await second.exited;

    expect(exit.code).toBe(1);
    const lines = second.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    // The first bot renews its lease every 10 s of its 30 s.
    expect(lines[0]).toMatch(
      new RegExp(
        `^Cannot start: another bot process already runs as 'main' on the store at ${escape(world().storageUrl)} ` +
          `\\(pid ${first.pid} on host ${escape(hostname())}\\); stop it first, or if it crashed, start again in (2\\d|30) s$`,
      ),
    );
    expect(second.find('bot ready')).toEqual([]);
    expect(first.hasExited).toBe(false);
  });

  it('a bot killed with kill -9 is replaced at once: its pid is gone, so its lease is', async () => {
    const first = await world().startBot();
    await first.kill('SIGKILL');
    const started = Date.now();
    const next = await world().startBot();
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(next.find('taking over the lease of a bot process that is gone')).toMatchObject([
      { owner: 'main', host: hostname(), pid: first.pid },
    ]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
