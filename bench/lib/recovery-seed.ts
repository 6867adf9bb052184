/**
 * The store a stopped bot leaves with 1,000 open jobs in mixed states, written through the project's own storage
 * module (openStore + saveJob), and the predictions those jobs point at, made at the fake Replicate over its HTTP API.
 *
 *   running     600  a prediction id; the prediction is `processing` at the fake (an hour long)
 *   queued      300  waiting in line (text-to-video: no image to fetch again)
 *   starting     50  the create marker set, no id: the create reached Replicate and its answer was lost; the
 *                    prediction exists (created last, so it is on the first page the bot reads to adopt it)
 *   delivering   50  the prediction succeeded and the video was not posted yet
 *
 * Jobs are spread round robin over the fake's guilds, one member each. Their interactions were 20 minutes ago, so
 * their tokens are dead and the bot shows progress in a channel message, as after any restart of a bot whose videos
 * take minutes.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { Job, JobState } from '../../src/queue/job.js';
import { toModelInput } from '../../src/replicate/input.js';
import { klingModel } from '../../src/replicate/prediction-runner.js';
import { openStore } from '../../src/storage/keyv-store.js';
import type { FakeEndpoints } from './fake-world.js';
import type { Fakes } from './fakes.js';

export const seedMix: Record<'running' | 'queued' | 'starting' | 'delivering', number> = {
  running: 600,
  queued: 300,
  starting: 50,
  delivering: 50,
};

export interface Seeded {
  jobs: number;
  byState: Record<string, number>;
  /** Prediction ids of the running jobs (the ones to see polled again). */
  runningPredictions: string[];
  /** Prediction ids the starting jobs' lost creates made (the bot should adopt them, not create new ones). */
  startingPredictions: string[];
  queuedJobIds: string[];
  /** Open jobs of a previous run found in the store and ended first (Redis and PostgreSQL keep them). */
  retired: number;
  seedMs: number;
}

const quiet = pino({ level: 'silent' });

/** POSTs a prediction at the fake the way the replicate client would; answers its id. */
async function createAtFake(endpoints: FakeEndpoints, input: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${endpoints.replicateUrl}/models/${klingModel}/predictions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${endpoints.replicateToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ input }),
  });
  if (response.status !== 201) throw new Error(`fake Replicate refused a seed prediction: ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

/** Runs `task` over `items`, `width` at a time, keeping the order of the results. */
async function inBatches<T, R>(items: readonly T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(task))));
  return out;
}

export async function seedRecovery(storageUrl: string, fakes: Fakes): Promise<Seeded> {
  const started = performance.now();
  const { endpoints } = fakes;
  const now = Date.now();
  const plan: JobState[] = [
    ...Array<JobState>(seedMix.running).fill('running'),
    ...Array<JobState>(seedMix.queued).fill('queued'),
    ...Array<JobState>(seedMix.starting).fill('starting'),
    ...Array<JobState>(seedMix.delivering).fill('delivering'),
  ];
  const jobs: Job[] = plan.map((state, i) => baseJob(endpoints, i, state, now));
  const promptOf = (job: Job) => toModelInput(job.request);

  // Delivering first (each scripted to succeed at once), then running, then starting: the newest at the fake.
  const delivering = jobs.filter((j) => j.state === 'delivering');
  for (let i = 0; i < delivering.length; i++) await fakes.script(1);
  const deliveredIds = await inBatches(delivering, 25, (job) => createAtFake(endpoints, promptOf(job)));
  const running = jobs.filter((j) => j.state === 'running');
  const runningIds = await inBatches(running, 25, (job) => createAtFake(endpoints, promptOf(job)));
  const starting = jobs.filter((j) => j.state === 'starting');
  const startingIds = await inBatches(starting, 25, (job) => createAtFake(endpoints, promptOf(job)));
  const origin = new URL(endpoints.replicateUrl).origin;
  delivering.forEach((job, i) => {
    Object.assign(job, { predictionId: deliveredIds[i], predictionDoneAt: now - 1_000, outputUrl: `${origin}/files-out/${deliveredIds[i]}.mp4` });
  });
  running.forEach((job, i) => Object.assign(job, { predictionId: runningIds[i] }));

  // The seeding store takes the owner's lease like the bot did and gives it back on close, as a graceful stop does.
  const store = await openStore(storageUrl, quiet, { lease: { onLost: () => undefined } });
  let retired = 0;
  try {
    const left = await store.listActiveJobs();
    await inBatches(left, 100, (job) =>
      store.saveJob({ ...job, state: 'canceled', endShown: true, finishedAt: now, updatedAt: now, reason: 'bench reset' }),
    );
    retired = left.length;
    await inBatches(jobs, 100, (job) => store.saveJob(job));
    const stored = await store.listActiveJobs();
    if (stored.length !== jobs.length) throw new Error(`seeded ${jobs.length} jobs, the store lists ${stored.length}`);
  } finally {
    await store.close();
  }
  const byState: Record<string, number> = {};
  for (const job of jobs) byState[job.state] = (byState[job.state] ?? 0) + 1;
  return {
    jobs: jobs.length,
    byState,
    runningPredictions: runningIds,
    startingPredictions: startingIds,
    queuedJobIds: jobs.filter((j) => j.state === 'queued').map((j) => j.id),
    retired,
    seedMs: performance.now() - started,
  };
}

function baseJob(endpoints: FakeEndpoints, i: number, state: JobState, now: number): Job {
  const guild = i % endpoints.guildIds.length;
  const askedAt = now - 20 * 60_000;
  const job: Job = {
    id: randomUUID(),
    guildId: endpoints.guildIds[guild]!,
    userId: String(300_000_000_000_000_000n + BigInt(i)),
    userName: `member${i}`,
    seq: i + 1,
    state,
    request: { prompt: `a recovery bench video number ${i}` },
    seconds: 5,
    reply: {
      applicationId: endpoints.applicationId,
      interactionId: String(400_000_000_000_000_000n + BigInt(i)),
      interactionToken: `bench-interaction-token-${i}-${randomUUID()}`,
      interactionAt: askedAt,
      channelId: endpoints.channelIds[guild]!,
      attachmentSizeLimit: 10 * 1024 * 1024,
    },
    createdAt: askedAt,
    updatedAt: now - 60_000,
    queueRound: Math.floor(i / endpoints.guildIds.length),
  };
  if (state === 'queued') return job;
  // A starting job's marker is a second older than its prediction: within the adoption window of find-created.ts.
  if (state === 'starting') return { ...job, createStartedAt: now - 1_000 };
  return { ...job, createStartedAt: now - 121_000, startedAt: now - 120_000 };
}
