import type { Job } from '../../src/queue/job.js';
import type { JobStore } from '../../src/queue/ports.js';
import { isOpen } from '../../src/queue/job.js';

/**
 * An in-memory JobStore with the real store's semantics: jobs go through a JSON round trip (what you get back is
 * a copy, never the object you saved), image bytes are copied, meta values are JSON.
 * `onSaved` sees each job once its save is durable, so tests can check "persisted before shown".
 * `failSaves` makes saves reject (a store outage); `failSavesOf` refuses the next `times` saves a predicate picks
 * (a write failing at one chosen transition).
 */
export class MemoryStore implements JobStore {
  private readonly jobs = new Map<string, string>();
  private readonly images = new Map<string, Buffer>();
  private readonly meta = new Map<string, string>();
  onSaved?: (job: Job) => void;
  failSaves = false;
  saves = 0;
  /** Saves refused so far by failSavesOf. */
  refused = 0;
  private readonly faults: { matches: (job: Job) => boolean; left: number }[] = [];

  failSavesOf(matches: (job: Job) => boolean, times = 1): void {
    this.faults.push({ matches, left: times });
  }

  async saveJob(job: Job): Promise<void> {
    await Promise.resolve();
    if (this.failSaves) throw new Error('store unavailable');
    const fault = this.faults.find((f) => f.left > 0 && f.matches(job));
    if (fault) {
      fault.left--;
      this.refused++;
      throw new Error('store refused the write (OOM command not allowed when used memory > maxmemory)');
    }
    const text = JSON.stringify(job);
    this.jobs.set(job.id, text);
    this.saves++;
    this.onSaved?.(JSON.parse(text) as Job);
  }

  async getJob(id: string): Promise<Job | undefined> {
    const text = this.jobs.get(id);
    return text === undefined ? undefined : (JSON.parse(text) as Job);
  }

  async listActiveJobs(): Promise<Job[]> {
    return [...this.jobs.values()]
      .map((text) => JSON.parse(text) as Job)
      .filter((job) => isOpen(job));
  }

  /** Image saves and loads to refuse before answering again. */
  refuseImageCalls = 0;

  private refuseImageCall(): void {
    if (this.refuseImageCalls <= 0) return;
    this.refuseImageCalls--;
    this.refused++;
    throw new Error('store refused the call (connection lost)');
  }

  async saveImage(jobId: string, bytes: Buffer): Promise<void> {
    this.refuseImageCall();
    this.images.set(jobId, Buffer.from(bytes));
  }

  async loadImage(jobId: string): Promise<Buffer | undefined> {
    this.refuseImageCall();
    const bytes = this.images.get(jobId);
    return bytes && Buffer.from(bytes);
  }

  async deleteImage(jobId: string): Promise<void> {
    this.images.delete(jobId);
  }

  /** Kept images and until when (the real store's upkeep drops them then; see dropExpiredImages). */
  readonly kept = new Map<string, number>();

  async keepImage(jobId: string, until: number): Promise<void> {
    this.refuseImageCall();
    this.kept.set(jobId, until);
  }

  async dropExpiredImages(now: number): Promise<number> {
    const due = [...this.kept].filter(([, until]) => until <= now).map(([id]) => id);
    for (const id of due) {
      this.kept.delete(id);
      this.images.delete(id);
    }
    return due.length;
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    const text = this.meta.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async setMeta<T>(key: string, value: T): Promise<void> {
    this.meta.set(key, JSON.stringify(value));
  }

  /** Synchronous peek for assertions. */
  peek(id: string): Job | undefined {
    const text = this.jobs.get(id);
    return text === undefined ? undefined : (JSON.parse(text) as Job);
  }

  hasImage(jobId: string): boolean {
    return this.images.has(jobId);
  }

  /** Writes a job as a previous process would have left it. */
  put(job: Job): void {
    this.jobs.set(job.id, JSON.stringify(job));
  }
}
