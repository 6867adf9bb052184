/** One way to drive the stand-ins, whether they live in this process or in bench/fakes-process.ts. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkIpcChild } from './ipc-child.js';
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
  const child = await forkIpcChild(join(dirname(fileURLToPath(import.meta.url)), '..', 'fakes-process.ts'));
  const call = child.call;
  const endpoints = await call<FakeEndpoints>('start', options);
  return {
    mode: 'child-process',
    endpoints,
    pid: child.pid,
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
      await call('close').catch(() => undefined);
      const gone = await Promise.race([child.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000))]);
      if (!gone) await child.kill();
    },
  };
}
