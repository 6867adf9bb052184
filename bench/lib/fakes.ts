/** One way to drive the stand-ins, whether they live in this process or in bench/fakes-process.ts. */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeWorld, type AckSample, type FakeEndpoints, type FakeWorldOptions, type PacedResult, type SendOptions } from './fake-world.js';

export type FakesMode = 'in-process' | 'child-process';

export interface Fakes {
  readonly mode: FakesMode;
  readonly endpoints: FakeEndpoints;
  /** Pid of the process the fakes run in. */
  readonly pid: number;
  burst(count: number, options: SendOptions): Promise<string[]>;
  paced(perSecond: number, seconds: number, everyMs: number, firstUser: number): Promise<PacedResult>;
  ackSamples(): Promise<AckSample[]>;
  ackCount(): Promise<number>;
  discordRequestCounts(): Promise<Record<string, number>>;
  replicateRequestCounts(): Promise<Record<string, number>>;
  firstStatusReads(since: number): Promise<Record<string, number>>;
  discordTimeline(since: number): Promise<{ route: string; at: number }[]>;
  script(durationMs: number, outputPath?: string): Promise<void>;
  deliveredBytes(interactionId: string): Promise<number | undefined>;
  connectionCounts(): Promise<{ discord: number; replicate: number }>;
  replyTarget(interactionId: string): Promise<{ token: string; applicationId: string; acknowledged: boolean }>;
  close(): Promise<void>;
}

export async function startFakes(mode: FakesMode, options: FakeWorldOptions): Promise<Fakes> {
  return mode === 'in-process' ? startInProcess(options) : startChild(options);
}

async function startInProcess(options: FakeWorldOptions): Promise<Fakes> {
  const world = await FakeWorld.start(options);
  return {
    mode: 'in-process',
    endpoints: world.endpoints(),
    pid: process.pid,
    burst: async (count, o) => world.burst(count, o),
    paced: (...args) => world.paced(...args),
    ackSamples: async () => world.ackSamples(),
    ackCount: async () => world.ackCount(),
    discordRequestCounts: async () => world.discordRequestCounts(),
    replicateRequestCounts: async () => world.replicateRequestCounts(),
    firstStatusReads: async (since) => world.firstStatusReads(since),
    discordTimeline: async (since) => world.discordTimeline(since),
    script: async (ms, path) => world.script(ms, path),
    deliveredBytes: async (id) => world.deliveredBytes(id),
    connectionCounts: async () => world.connectionCounts(),
    replyTarget: async (id) => world.replyTarget(id),
    close: () => world.close(),
  };
}

async function startChild(options: FakeWorldOptions): Promise<Fakes> {
  const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'fakes-process.ts');
  const child: ChildProcess = fork(entry, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error !== undefined) waiter.reject(new Error(`fakes process: ${message.error}`));
    else waiter.resolve(message.result);
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`fakes process exited (${code})`));
    pending.clear();
  });
  await ready;
  const call = <T>(method: string, ...args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, method, args });
    });
  const endpoints = await call<FakeEndpoints>('start', options);
  return {
    mode: 'child-process',
    endpoints,
    pid: child.pid ?? -1,
    burst: (count, o) => call('burst', count, o),
    paced: (...args) => call('paced', ...args),
    ackSamples: () => call('ackSamples'),
    ackCount: () => call('ackCount'),
    discordRequestCounts: () => call('discordRequestCounts'),
    replicateRequestCounts: () => call('replicateRequestCounts'),
    firstStatusReads: (since) => call('firstStatusReads', since),
    discordTimeline: (since) => call('discordTimeline', since),
    script: (ms, path) => call('script', ms, path),
    deliveredBytes: (id) => call('deliveredBytes', id),
    connectionCounts: () => call('connectionCounts'),
    replyTarget: (id) => call('replyTarget', id),
    async close() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await call('close').catch(() => undefined);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      if (child.exitCode === null) child.kill();
    },
  };
}
