import { afterEach, beforeEach } from 'vitest';
import { ProcessWorld } from './process-world.js';
import { World, type WorldOptions } from './world.js';

/**
 * Per-test lifecycle of a World or ProcessWorld for e2e files. Kept apart from world.ts and process-world.ts so they
 * stay free of vitest (bench/ imports world.ts).
 */

/** What the teardown needs: both stand-ins and a way to close everything. */
interface Closable {
  readonly discord: { assertNoUnexpectedRequests(): void };
  readonly replicate: { assertNoUnexpectedRequests(): void };
  close(): Promise<void>;
}

/**
 * Closes the world, then fails if either stand-in saw a request it has no route for. The world is closed first, so
 * a failed check never leaks it; the checks run even when closing throws.
 */
export async function closeAndCheck(world: Closable): Promise<void> {
  try {
    await world.close();
  } finally {
    world.discord.assertNoUnexpectedRequests();
    world.replicate.assertNoUnexpectedRequests();
  }
}

/** Registers an afterEach that tears down the world `take` hands over, if any. */
function teardownEach<W extends Closable>(take: () => W | undefined): void {
  afterEach(async () => {
    const world = take();
    if (world) await closeAndCheck(world);
  });
}

function useStarted<W extends Closable>(start: () => Promise<W>, name: string): () => W {
  let current: W | undefined;
  beforeEach(async () => {
    current = await start();
  });
  teardownEach(() => {
    const world = current;
    current = undefined;
    return world;
  });
  return () => {
    if (!current) throw new Error(`no ${name} running: use the getter inside a test or a later hook`);
    return current;
  };
}

/**
 * Starts a World before each test of the enclosing file or describe block and closes it after (see closeAndCheck).
 * `options` may be a function, read when each test starts. Returns a getter for the running World.
 */
export function useWorld(options: WorldOptions | (() => WorldOptions) = {}): () => World {
  return useStarted(() => World.start(typeof options === 'function' ? options() : options), 'World');
}

/** As useWorld, for a ProcessWorld (stand-ins in the test process, bots as child processes). */
export function useProcessWorld(): () => ProcessWorld {
  return useStarted(() => ProcessWorld.start(), 'ProcessWorld');
}

/**
 * For files whose tests each start their own World with different options: returns a starter to call in the test,
 * and closes the started World after it (see closeAndCheck).
 */
export function useWorldPerTest(): (options?: WorldOptions) => Promise<World> {
  let current: World | undefined;
  teardownEach(() => {
    const world = current;
    current = undefined;
    return world;
  });
  return async (options = {}) => {
    if (current) throw new Error('a World is already running in this test');
    current = await World.start(options);
    return current;
  };
}
