import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import type { Logger } from 'pino';
import { isTerminal, type Job } from '../queue/job.js';
import type { JobStore } from '../queue/ports.js';

/**
 * All persisted state goes through here; this is the only module that knows key names:
 *   job:<id>      the job record (plain JSON)
 *   image:<id>    the start image's bytes until the prediction is created
 *   jobs:active:<owner>  ids of the owner's jobs not yet finished (one owner per process: processes sharing a
 *                        store, e.g. shards, each keep their own index and never overwrite another's)
 *   meta:<name>   small named values
 */
const finishedJobTtlMs = 90 * 24 * 60 * 60 * 1000;

export interface Store extends JobStore {
  close(): Promise<void>;
}

export async function openStore(url: string, log: Logger, owner = 'main'): Promise<Store> {
  const adapter = await createAdapter(url);
  const keyv = new Keyv({ store: adapter, namespace: 'bot', throwOnErrors: true });
  keyv.on('error', (err: unknown) => log.error({ err }, 'storage error'));
  const store = new KeyvJobStore(keyv, `jobs:active:${owner}`);
  await store.load();
  return store;
}

async function createAdapter(url: string): Promise<KeyvStoreAdapter> {
  if (url.startsWith('sqlite://')) {
    const path = url.slice('sqlite://'.length);
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    const { default: KeyvSqlite } = await import('@keyv/sqlite');
    const sqlite = new KeyvSqlite({ uri: url, busyTimeout: 5000 });
    if (path !== ':memory:') {
      // A write-ahead log survives a killed process (kill -9) and lets a burst of accepted jobs be written at once
      // instead of one disk flush each; only a power cut can lose the last writes.
      await sqlite.query('PRAGMA journal_mode=WAL');
      await sqlite.query('PRAGMA synchronous=NORMAL');
    }
    return sqlite as unknown as KeyvStoreAdapter;
  }
  if (/^rediss?:\/\//.test(url)) {
    const { default: KeyvRedis } = await import('@keyv/redis');
    return new KeyvRedis(url) as unknown as KeyvStoreAdapter;
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { default: KeyvPostgres } = await import('@keyv/postgres');
    return new KeyvPostgres({ uri: url }) as unknown as KeyvStoreAdapter;
  }
  throw new Error('STORAGE_URL must start with sqlite://, redis:// or postgresql://');
}

class KeyvJobStore implements Store {
  private active = new Set<string>();
  private indexWrite: Promise<unknown> = Promise.resolve();
  private nextIndexWrite: Promise<unknown> | undefined;

  constructor(
    private readonly keyv: Keyv,
    private readonly activeIndexKey: string,
  ) {}

  async load(): Promise<void> {
    const ids = (await this.keyv.get<string[]>(this.activeIndexKey)) ?? [];
    this.active = new Set(ids);
  }

  async saveJob(job: Job): Promise<void> {
    const done = isTerminal(job.state);
    await this.keyv.set(`job:${job.id}`, job, done ? finishedJobTtlMs : undefined);
    const wasActive = this.active.has(job.id);
    if (done && wasActive) this.active.delete(job.id);
    else if (!done && !wasActive) this.active.add(job.id);
    else return;
    await this.writeIndex();
  }

  async getJob(id: string): Promise<Job | undefined> {
    return this.keyv.get<Job>(`job:${id}`);
  }

  async listActiveJobs(): Promise<Job[]> {
    const ids = [...this.active];
    if (ids.length === 0) return [];
    const jobs = await this.keyv.getMany<Job>(ids.map((id) => `job:${id}`));
    return jobs.filter((job): job is Job => job !== undefined && !isTerminal(job.state));
  }

  async saveImage(jobId: string, bytes: Buffer): Promise<void> {
    await this.keyv.set(`image:${jobId}`, bytes.toString('base64'));
  }

  async loadImage(jobId: string): Promise<Buffer | undefined> {
    const value = await this.keyv.get<string>(`image:${jobId}`);
    return value === undefined ? undefined : Buffer.from(value, 'base64');
  }

  async deleteImage(jobId: string): Promise<void> {
    await this.keyv.delete(`image:${jobId}`);
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return this.keyv.get<T>(`meta:${key}`);
  }

  async setMeta<T>(key: string, value: T): Promise<void> {
    await this.keyv.set(`meta:${key}`, value);
  }

  async close(): Promise<void> {
    await this.indexWrite.catch(() => undefined);
    await this.keyv.disconnect();
  }

  /**
   * Writes of the index are serialised (keyv has no atomic update) and coalesced: a caller waits for the first
   * write that starts after its change, so a burst of accepted jobs costs a few writes, not one each.
   */
  private writeIndex(): Promise<unknown> {
    if (this.nextIndexWrite) return this.nextIndexWrite;
    const next = this.indexWrite
      .catch(() => undefined)
      .then(() => {
        this.nextIndexWrite = undefined;
        return this.keyv.set(this.activeIndexKey, [...this.active]);
      });
    this.nextIndexWrite = next;
    this.indexWrite = next;
    return next;
  }
}
