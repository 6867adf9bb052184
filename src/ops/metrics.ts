import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Job, JobState } from '../queue/job.js';
import type { ApiName, BotMetrics, WebhookOutcome } from './bot-metrics.js';
import { failureKindOf } from './failure-kind.js';

/** Every metric's name starts with this, the default process and Node.js metrics included. */
export const metricPrefix = 'videobot_';

/** Generation and end-to-end durations: a Kling clip takes minutes. */
export const durationBuckets = [5, 15, 30, 60, 120, 180, 300, 600];
/** Acknowledgement latency, in seconds: Discord gives 3 s, the bot aims well under 50 ms. */
export const ackBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Guilds' queue depth is summed into this many buckets (label `bucket`): bounded whatever the guild count. */
export const queueBuckets = 16;

const liveStates: readonly JobState[] = ['queued', 'starting', 'running', 'delivering'];

/** What the gauges read at each scrape: the queue's live jobs, in memory. */
export type LiveJobs = () => Iterable<Job>;

export interface Metrics extends BotMetrics {
  /**
   * This process's own registry (tests start many bots in one process). A sharding manager aggregates the shards'
   * `registry.getMetricsAsJSON()` with prom-client's `AggregatorRegistry.aggregate`.
   */
  readonly registry: Registry;
  /** Where the gauges (jobs by state, queue depth, predictions in flight) read from; set once the queue exists. */
  observeJobs(source: LiveJobs): void;
  /** The Prometheus text exposition and its content type, for `/metrics`. */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsOptions {
  /** Process and Node.js metrics (CPU, memory, event loop lag, GC); on by default, off in units. */
  defaultMetrics?: boolean;
  /** Labels on every series, e.g. `{ shard: '3' }` under a sharding manager. */
  labels?: Record<string, string>;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: metricPrefix });
  const registers = [registry];
  const name = (n: string) => `${metricPrefix}${n}`;
  let liveJobs: LiveJobs = () => [];

  new Gauge({
    name: name('jobs'),
    help: 'Jobs this process holds, by state (waiting, starting, generating, delivering).',
    labelNames: ['state'],
    registers,
    collect() {
      const counts = new Map<string, number>(liveStates.map((s) => [s, 0]));
      for (const job of liveJobs()) if (counts.has(job.state)) counts.set(job.state, counts.get(job.state)! + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: name('queue_depth'),
    help: `Jobs waiting in line, summed over guilds by bucket (a hash of the guild id modulo ${queueBuckets}).`,
    labelNames: ['bucket'],
    registers,
    collect() {
      const depth = new Array<number>(queueBuckets).fill(0);
      for (const job of liveJobs()) if (job.state === 'queued') depth[guildBucket(job.guildId)]! += 1;
      depth.forEach((n, bucket) => this.set({ bucket: String(bucket) }, n));
    },
  });
  new Gauge({
    name: name('predictions_in_flight'),
    help: 'Predictions this process has created (or is creating) at Replicate that have not ended yet.',
    registers,
    collect() {
      let n = 0;
      for (const job of liveJobs()) {
        if (job.state === 'running' || (job.state === 'starting' && job.createStartedAt !== undefined)) n++;
      }
      this.set(n);
    },
  });

  const accepted = new Counter({ name: name('jobs_accepted_total'), help: 'Jobs accepted.', registers });
  const ended = new Counter({
    name: name('jobs_ended_total'),
    help: 'Jobs ended, by final state.',
    labelNames: ['state'],
    registers,
  });
  const failures = new Counter({
    name: name('job_failures_total'),
    help: 'Jobs that failed, by reason (a fixed set of kinds, see README).',
    labelNames: ['reason'],
    registers,
  });
  const generation = new Histogram({
    name: name('generation_duration_seconds'),
    help: 'Time from the prediction created to its end at Replicate, by clip length in seconds.',
    labelNames: ['clip_seconds'],
    buckets: durationBuckets,
    registers,
  });
  const endToEnd = new Histogram({
    name: name('job_duration_seconds'),
    help: 'Time from the request accepted to the job ended, by final state.',
    labelNames: ['state'],
    buckets: durationBuckets,
    registers,
  });
  const charged = new Counter({
    name: name('video_seconds_charged_total'),
    help: 'Seconds of video delivered (what the Replicate account is charged for).',
    registers,
  });
  const apiErrors = new Counter({
    name: name('api_errors_total'),
    help: 'Failed calls to Discord or Replicate, by API and kind (HTTP status, network, timeout).',
    labelNames: ['api', 'kind'],
    registers,
  });
  const apiRetries = new Counter({
    name: name('api_retries_total'),
    help: 'Calls to Discord or Replicate sent again after a failure or a rate limit, by API and operation.',
    labelNames: ['api', 'operation'],
    registers,
  });
  const ack = new Histogram({
    name: name('acknowledgement_latency_seconds'),
    help: 'Time from an interaction arriving to Discord answering its acknowledgement (defer or reply).',
    buckets: ackBuckets,
    registers,
  });
  const webhooks = new Counter({
    name: name('webhook_verifications_total'),
    help: 'Incoming Replicate webhooks, by verification outcome.',
    labelNames: ['outcome'],
    registers,
  });

  return {
    registry,
    observeJobs(source) {
      liveJobs = source;
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    jobAccepted() {
      accepted.inc();
    },
    jobEnded(job) {
      ended.inc({ state: job.state });
      const end = job.finishedAt ?? job.updatedAt;
      endToEnd.observe({ state: job.state }, Math.max(0, end - job.createdAt) / 1000);
      if (job.startedAt !== undefined && job.predictionDoneAt !== undefined) {
        generation.observe({ clip_seconds: String(job.seconds) }, Math.max(0, job.predictionDoneAt - job.startedAt) / 1000);
      }
      if (job.state === 'failed') failures.inc({ reason: failureKindOf(job.reason) });
      if (job.state === 'done') charged.inc(job.seconds);
    },
    apiError(api: ApiName, kind: string) {
      apiErrors.inc({ api, kind });
    },
    apiRetry(api: ApiName, operation: string) {
      apiRetries.inc({ api, operation });
    },
    acknowledged(ms) {
      ack.observe(Math.max(0, ms) / 1000);
    },
    webhookVerified(outcome: WebhookOutcome) {
      webhooks.inc({ outcome });
    },
  };
}

/** 0..queueBuckets-1 from the guild id (FNV-1a): stable across processes and restarts. */
export function guildBucket(guildId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < guildId.length; i++) {
    hash ^= guildId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % queueBuckets;
}
