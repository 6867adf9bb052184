import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Clock } from '../../../src/clock.js';
import { systemClock } from '../../../src/clock.js';
import { GenerationHistory, type GenerationSample } from '../../../src/queue/eta.js';
import type { Job, VideoRequest } from '../../../src/queue/job.js';
import { createReplicateClient, type ReplicateClientOptions } from '../../../src/replicate/client.js';
import { createPredictionRunner, type PredictionRunnerOptions } from '../../../src/replicate/prediction-runner.js';
import { startFakeReplicate, type FakeReplicate, type FakeReplicateOptions } from './fake-replicate.js';

/** The real runner and the real client against a fresh fake, with fast test timings and a readable log. */
export async function startRunnerFixture(
  options: {
    fake?: FakeReplicateOptions;
    clock?: Clock;
    runner?: Partial<PredictionRunnerOptions>;
    clientToken?: string;
    client?: Omit<ReplicateClientOptions, 'token' | 'baseUrl'>;
  } = {},
) {
  const clock = options.clock ?? systemClock;
  const fake: FakeReplicate = await startFakeReplicate({ clock, defaultDurationMs: 300, ...options.fake });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const saved: GenerationSample[][] = [];
  const runner = createPredictionRunner({
    client: createReplicateClient({ token: options.clientToken ?? fake.token, baseUrl: fake.baseUrl, ...options.client }),
    clock,
    log: pino({ level: 'debug' }, sink),
    pollIntervalMs: 20,
    times: { history: new GenerationHistory([{ duration: 5, ms: 300 }]), save: async (samples) => void saved.push(samples) },
    retry: { baseDelayMs: 5, maxDelayMs: 20, operatorRetryMs: 10, random: () => 0.5 },
    ...options.runner,
  });
  return { fake, runner, clock, saved, logText: () => lines.join('\n'), logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

let seq = 0;

export function makeJob(request: VideoRequest, patch: Partial<Job> = {}): Job {
  const now = Date.now();
  seq++;
  return {
    id: `job-${seq}-${now}`,
    guildId: 'g1',
    userId: 'u1',
    seq,
    state: 'starting',
    request,
    seconds: request.duration ?? 5,
    reply: {
      applicationId: 'app',
      interactionId: 'i1',
      interactionToken: 'secret-interaction-token',
      interactionAt: now,
      channelId: 'c1',
      attachmentSizeLimit: 10 * 1024 * 1024,
    },
    createdAt: now,
    updatedAt: now,
    createStartedAt: now,
    ...patch,
  };
}
