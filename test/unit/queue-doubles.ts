import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { Job } from '../../src/queue/job.js';
import type {
  AdmissionPolicy,
  CheckAcknowledgement,
  DeliverOptions,
  DeliveryKind,
  PredictionRunner,
  PredictionSnapshot,
  ProgressInfo,
  Responder,
  StartImage,
} from '../../src/queue/ports.js';
import { createQueueService, type QueueLimits, type QueueService, type FetchImage } from '../../src/queue/queue-service.js';
import { flushMicrotasks, ManualClock } from '../harness/test-clock.js';
import { MemoryStore } from '../harness/memory-store.js';

/** In-memory double of our PredictionRunner port: predictions end when the test says so. */
export class ScriptedRunner implements PredictionRunner {
  readonly creates: { job: Job; image: StartImage | undefined }[] = [];
  readonly canceled: string[] = [];
  readonly waits: string[] = [];
  readonly found = new Map<string, PredictionSnapshot>();
  /** Set to make the next create throw this. */
  createError?: unknown;
  /** When true, creates wait for releaseCreates(). */
  holdCreates = false;
  private readonly heldCreates: (() => void)[] = [];
  private readonly ended = new Map<string, PredictionSnapshot>();
  private readonly waiters = new Map<string, (snapshot: PredictionSnapshot) => void>();
  private count = 0;

  /** Prediction ids are `${prefix}1`, `${prefix}2`, ... */
  prefix = 'p';

  async create(job: Job, image: StartImage | undefined, signal?: AbortSignal): Promise<PredictionSnapshot> {
    this.creates.push({ job, image });
    if (this.holdCreates) {
      await new Promise<void>((resolve, reject) => {
        this.heldCreates.push(resolve);
        signal?.addEventListener('abort', () => reject(signal.reason));
      });
    }
    if (this.createError !== undefined) {
      const err = this.createError;
      this.createError = undefined;
      throw err;
    }
    return { id: `${this.prefix}${++this.count}`, status: 'starting' };
  }

  releaseCreates(): void {
    this.holdCreates = false;
    for (const release of this.heldCreates.splice(0)) release();
  }

  async findCreated(job: Job): Promise<PredictionSnapshot | undefined> {
    return this.found.get(job.id);
  }

  waitForEnd(predictionId: string, options: { signal?: AbortSignal }): Promise<PredictionSnapshot> {
    this.waits.push(predictionId);
    const done = this.ended.get(predictionId);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', () => {
        this.waiters.delete(predictionId);
        reject(signal.reason);
      });
      this.waiters.set(predictionId, resolve);
    });
  }

  /** Ends a prediction: a pending wait resolves, a later wait resolves at once. */
  end(predictionId: string, status: PredictionSnapshot['status'], extra: Partial<PredictionSnapshot> = {}): void {
    const snapshot: PredictionSnapshot = {
      id: predictionId,
      status,
      ...(status === 'succeeded' ? { output: `https://replicate.delivery/${predictionId}/out.mp4` } : {}),
      ...extra,
    };
    this.ended.set(predictionId, snapshot);
    const waiter = this.waiters.get(predictionId);
    this.waiters.delete(predictionId);
    waiter?.(snapshot);
  }

  isWaiting(predictionId: string): boolean {
    return this.waiters.has(predictionId);
  }

  async cancel(predictionId: string): Promise<void> {
    this.canceled.push(predictionId);
  }
}

export interface Shown {
  kind: 'update' | 'finish' | 'deliver' | 'ping';
  jobId: string;
  state: Job['state'];
  position?: number;
  reason?: string;
}

/** Double of our Responder port: records what a member would have seen. */
export class RecordingResponder implements Responder {
  readonly shown: Shown[] = [];
  onShown?: (shown: Shown) => void;
  /** Set to make deliveries throw this. */
  deliverError?: unknown;
  holdDeliveries = false;

  update(job: Job, info?: ProgressInfo): void {
    this.record({ kind: 'update', jobId: job.id, state: job.state, ...(info?.position ? { position: info.position } : {}) });
  }

  async finish(job: Job): Promise<void> {
    this.record({ kind: 'finish', jobId: job.id, state: job.state, ...(job.reason ? { reason: job.reason } : {}) });
  }

  /** Posts (recorded as `deliver`), marks posted, pings (recorded as `ping`), marks pinged: as the real one does. */
  async deliver(job: Job, _outputUrl: string, signal?: AbortSignal, options: DeliverOptions = {}): Promise<DeliveryKind> {
    if (this.holdDeliveries) {
      await new Promise<void>((_resolve, reject) => {
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason));
      });
    }
    if (this.deliverError !== undefined) throw this.deliverError;
    if (job.postedAt === undefined) {
      this.record({ kind: 'deliver', jobId: job.id, state: job.state });
      await options.markPosted?.('attachment');
    }
    if (job.pingedAt === undefined) {
      this.record({ kind: 'ping', jobId: job.id, state: job.state });
      await options.markPinged?.();
    }
    return 'attachment';
  }

  of(jobId: string): Shown[] {
    return this.shown.filter((s) => s.jobId === jobId);
  }

  lastPosition(jobId: string): number | undefined {
    return this.of(jobId).filter((s) => s.position !== undefined).at(-1)?.position;
  }

  private record(shown: Shown): void {
    this.shown.push(shown);
    this.onShown?.(shown);
  }
}

export function captureLog(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

export const defaultLimits: QueueLimits = { maxConcurrent: 2, guildConcurrency: 1, guildQueueLimit: 10, userPendingLimit: 3 };

/** Every bench created in this worker: `assertShownAfterPersisted` checks them all after each test. */
const benches: Bench[] = [];

/** Fails when anything was shown to a member in a state the store did not hold at that moment. */
export function assertShownAfterPersisted(): void {
  const violations = benches.flatMap((bench) => bench.violations);
  benches.length = 0;
  if (violations.length) throw new Error(`shown before persisted:\n${violations.join('\n')}`);
}

export interface Bench {
  /** Things shown to a member while the store held another state. */
  violations: string[];
  store: MemoryStore;
  runner: ScriptedRunner;
  responder: RecordingResponder;
  clock: ManualClock;
  lines: Record<string, unknown>[];
  queue: QueueService;
  /** Admits and accepts a job (like /video does), returning it once it is in line. */
  submit(guildId: string, userId: string, options?: { image?: boolean; prompt?: string }): Promise<Job>;
}

export function createBench(
  options: {
    limits?: Partial<QueueLimits>;
    store?: MemoryStore;
    fetchImage?: FetchImage;
    idPrefix?: string;
    policy?: AdmissionPolicy;
    checkAcknowledgement?: CheckAcknowledgement;
  } = {},
): Bench {
  const store = options.store ?? new MemoryStore();
  const runner = new ScriptedRunner();
  const responder = new RecordingResponder();
  const clock = new ManualClock();
  const { log, lines } = captureLog();
  let ids = 0;
  const queue = createQueueService({
    store,
    runner,
    responder,
    clock,
    log,
    limits: { ...defaultLimits, ...options.limits },
    fetchImage: options.fetchImage ?? (async () => ({ bytes: Buffer.from('png-bytes'), mimeType: 'image/png' })),
    newId: () => `${options.idPrefix ?? 'job-'}${++ids}`,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.checkAcknowledgement ? { checkAcknowledgement: options.checkAcknowledgement } : {}),
  });
  const violations: string[] = [];
  responder.onShown = (shown) => {
    const stored = store.peek(shown.jobId)?.state;
    if (stored !== shown.state) violations.push(`${shown.kind} ${shown.jobId} ${shown.state} (stored: ${stored})`);
  };
  const bench: Bench = {
    violations,
    store,
    runner,
    responder,
    clock,
    lines,
    queue,
    async submit(guildId, userId, opts = {}) {
      const admission = queue.admit(draft(guildId, userId, opts));
      if (!admission.ok) throw new Error(`refused: ${admission.refusal}`);
      await queue.accept(admission.job);
      const job = await queue.getJob(admission.job.id);
      if (!job) throw new Error('accepted job vanished');
      return job;
    },
  };
  benches.push(bench);
  return bench;
}

export function draft(guildId: string, userId: string, opts: { image?: boolean; prompt?: string } = {}) {
  return {
    guildId,
    userId,
    request: { prompt: opts.prompt ?? 'a cat on a skateboard' },
    ...(opts.image
      ? { image: { filename: 'cat.png', contentType: 'image/png', size: 9, url: 'https://cdn.example/cat.png', stored: false } }
      : {}),
    reply: {
      applicationId: 'app',
      interactionId: 'int',
      interactionToken: 'secret-token',
      interactionAt: 0,
      channelId: 'chan',
      attachmentSizeLimit: 10 * 1024 * 1024,
    },
  };
}

/** Lets promise chains run until the condition holds (no timers, no sleeps). */
export async function until(condition: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await flushMicrotasks();
  }
  throw new Error(`timed out waiting for ${what}`);
}
