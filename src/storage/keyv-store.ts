import Keyv from 'keyv';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { isOpen, type Job } from '../queue/job.js';
import type { JobStore } from '../queue/ports.js';
import type { Backend } from './backend.js';
import { KeptImages } from './kept-images.js';
import { activeIndexKey } from './keys.js';
import { adoptLayout, type Layout } from './layout.js';
import { acquireLease, type Lease, type LeaseOptions } from './lease.js';
import { openPostgresBackend } from './postgres-backend.js';
import { openRedisBackend } from './redis-backend.js';
import { openSqliteBackend } from './sqlite-backend.js';
import { StoreError, describeStoreError, isFenced, isTransientStoreError, redactUrl, secretsOf } from './store-error.js';

/**
 * All persisted state goes through here; the key names are listed in keys.ts (the only other place that knows them),
 * and, outside keyv, the owner's lease (see lease.ts).
 */
/** How long a finished job's record is kept by default, in days. */
export const finishedJobRetentionDays = 90;
const defaultFinishedJobTtlMs = finishedJobRetentionDays * 24 * 60 * 60 * 1000;
const namespace = 'bot';

export interface Store extends JobStore {
  /**
   * Deletes finished jobs whose time is up (SQLite and PostgreSQL only drop an expired row when it is read; Redis
   * expires keys itself). `now` is epoch ms on keyv's basis, the system time. Answers how many rows went.
   */
  pruneExpired(now?: number): Promise<number>;
  /**
   * Deletes the kept images (keepImage) whose time is up at `now` (the bot's clock, as given to keepImage). Answers
   * how many went.
   */
  dropExpiredImages(now: number): Promise<number>;
  /** Releases the owner's lease (if taken) and disconnects. */
  close(): Promise<void>;
  /**
   * Resolves once the owner's lease was confirmed recently (see Lease.fresh; at once without a lease); rejects with a
   * `fenced` StoreError once another process holds it. Discord and Replicate, which cannot check a fencing token,
   * are talked to only after it resolved.
   */
  fresh(): Promise<void>;
  /**
   * The atomic operations behind the account-wide prediction slots, request budget and prediction claims
   * (slot-pool, request-budget, replicate/adoption).
   */
  readonly coordination: Pick<Backend, 'slots' | 'takeTokens' | 'claims'>;
}

export interface OpenStoreOptions {
  /** Whose active index (and lease) this is; `main` today, one per Discord shard later. */
  owner?: string;
  /** Timers for the lease and waits between connection attempts (default: the system clock). */
  clock?: Clock;
  /**
   * Take the owner's lease: a second process with the same owner refuses to start. Without it the store is opened
   * for a look only (deploy-commands, tests reading what a bot left).
   */
  lease?: Omit<LeaseOptions, 'clock'>;
  /** A store not reachable at start is tried this many times (default 4), this far apart (default 2 000 ms). */
  connect?: { attempts?: number; delayMs?: number };
  /** Where a person reads why the start waits (main prints it on stderr); the log gets a line too. */
  notice?: (line: string) => void;
  /** Aborting it (a signal during start) ends a wait between attempts; openStore then rejects with its reason. */
  signal?: AbortSignal;
  /** How long a finished job's record is kept, in ms (default 90 days). */
  finishedJobTtlMs?: number;
  /** Longest wait for one store call, in ms, for Redis and PostgreSQL (default 5 000): a gone server rejects. */
  commandTimeoutMs?: number;
  /**
   * The layout this process belongs to (see layout.ts), made the store's before the active index is read: with
   * `rehome`, another layout's jobs are moved to their new owners first; without, another layout is refused.
   */
  layout?: { wanted: Layout; rehome: boolean };
}

/**
 * Opens the store at `url` and reads its active index. Throws a StoreError whose message is one sentence naming
 * the store (without credentials) when it cannot be read, after a few tries when it is not reachable yet.
 */
export async function openStore(url: string, log: Logger, options: OpenStoreOptions = {}): Promise<Store> {
  const { owner = 'main', clock = systemClock } = options;
  const attempts = Math.max(1, options.connect?.attempts ?? 4);
  const delayMs = options.connect?.delayMs ?? 2_000;
  const where = redactUrl(url);
  for (let attempt = 1; ; attempt++) {
    try {
      return await openOnce(url, log, owner, clock, options);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      const reason = describeStoreError(err, secretsOf(url));
      if (attempt >= attempts || !isTransientStoreError(err)) {
        throw new StoreError(`cannot read the store at ${where} (${reason})`, { cause: err });
      }
      const wait = delayMs >= 1000 ? `${Math.round(delayMs / 100) / 10} s` : `${delayMs} ms`;
      const next = `retrying in ${wait} (attempt ${attempt + 1} of ${attempts})`;
      log.warn({ store: where, reason }, `store not reachable, ${next}`);
      options.notice?.(`The store at ${where} is not reachable (${reason}); ${next}`);
      await clock.sleep(delayMs, options.signal);
    }
  }
}

async function openOnce(
  url: string,
  log: Logger,
  owner: string,
  clock: Clock,
  options: OpenStoreOptions,
): Promise<Store> {
  const backend = await openBackend(url, log, options.commandTimeoutMs);
  try {
    return await openStoreOn(backend, log, { ...options, owner, clock });
  } catch (err) {
    await backend.close().catch(() => undefined);
    throw err;
  }
}

/** The backend for STORAGE_URL's scheme, connected. */
export function openBackend(url: string, log: Logger, commandTimeoutMs = 5_000): Promise<Backend> {
  const where = redactUrl(url);
  const timings = { commandTimeoutMs, connectTimeoutMs: commandTimeoutMs };
  if (url.startsWith('sqlite://')) return openSqliteBackend(url, namespace);
  if (/^rediss?:\/\//.test(url)) return openRedisBackend(url, log, timings, where);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgresBackend(url, namespace, log, timings, where);
  return Promise.reject(new StoreError('STORAGE_URL must start with sqlite://, redis:// or postgresql://'));
}

/** The job store on an open backend (which it closes on close, and not when this fails). */
export async function openStoreOn(backend: Backend, log: Logger, options: OpenStoreOptions = {}): Promise<Store> {
  const { owner = 'main', clock = systemClock } = options;
  let lease: Lease | undefined;
  try {
    if (options.lease) lease = await acquireLease(backend, owner, { ...options.lease, clock }, log);
    const keyvOn = (adapter: Backend['adapter']) => {
      const keyv = new Keyv({ store: adapter, namespace, throwOnErrors: true });
      // Every failure also rejects the call that met it, whose caller logs it once. A write refused for an older
      // fencing token: the lease is renewed now, which finds the new holder and tells onLost.
      keyv.on('error', (err: unknown) => {
        if (isFenced(err)) void lease?.confirm();
        else log.debug({ reason: describeStoreError(err) }, 'storage error');
      });
      return keyv;
    };
    if (options.layout) {
      const { wanted, rehome } = options.layout;
      // The layout change holds every owner's lease under its own holder: its writes are not this grant's.
      await adoptLayout(wanted, { keyv: keyvOn(backend.adapter), backend, log, clock, rehome, ...(lease ? { held: owner } : {}) });
    }
    // Every write of the owner's keys (jobs, active index, images, named values) carries this grant's token.
    const keyv = keyvOn(lease ? backend.fenced({ owner, token: lease.token }) : backend.adapter);
    const ttl = options.finishedJobTtlMs ?? defaultFinishedJobTtlMs;
    const store = new KeyvJobStore(keyv, backend, owner, ttl, lease, log);
    await store.load();
    for (const warning of await backend.checkSettings()) log.warn({ store: backend.where }, warning);
    return store;
  } catch (err) {
    await lease?.release();
    throw err;
  }
}

class KeyvJobStore implements Store {
  readonly coordination: Pick<Backend, 'slots' | 'takeTokens' | 'claims'>;
  /** Ids of the jobs not yet finished, as this process knows them. */
  private active = new Set<string>();
  /** The ids the stored index held after its last successful write: what a crash now would leave. */
  private indexed = new Set<string>();
  private indexWrite: Promise<unknown> = Promise.resolve();
  private nextIndexWrite: Promise<unknown> | undefined;

  constructor(
    private readonly keyv: Keyv,
    private readonly backend: Backend,
    private readonly owner: string,
    private readonly finishedJobTtlMs: number,
    private readonly lease: Lease | undefined,
    private readonly log: Logger,
  ) {
    this.kept = new KeptImages(keyv, owner);
    this.coordination = { slots: backend.slots, claims: backend.claims, takeTokens: (take) => backend.takeTokens(take) };
  }

  private readonly kept: KeptImages;

  private get activeIndexKey(): string {
    return activeIndexKey(this.owner);
  }

  /**
   * Reads the index and drops the ids a crash left stale: a record never written (the index is written first) or
   * already finished (the record is written first).
   */
  async load(): Promise<void> {
    const ids = (await this.keyv.get<string[]>(this.activeIndexKey)) ?? [];
    this.active = new Set(ids);
    this.indexed = new Set(ids);
    if (ids.length === 0) return;
    const records = await this.keyv.getMany<Job>(ids.map((id) => `job:${id}`));
    const stale = ids.filter((_, i) => records[i] === undefined || !isOpen(records[i]!));
    if (stale.length === 0) return;
    for (const id of stale) this.active.delete(id);
    await this.writeIndex();
    // A delivered video's image stays (it is listed for the upkeep, see keepImage); any other is of no use now.
    const unkept = stale.filter((id) => records[ids.indexOf(id)]?.image?.keptUntil === undefined);
    await this.keyv.deleteMany(unkept.map((id) => `image:${id}`));
    this.log.info({ jobIds: stale }, 'dropped finished or never-written jobs from the active index');
  }

  /**
   * The order makes a crash between the two writes harmless: a job becoming active is indexed before its record
   * exists, a job finishing is recorded before it leaves the index; load() drops what either leaves behind.
   */
  async saveJob(job: Job): Promise<void> {
    const done = !isOpen(job);
    if (!done && !this.indexed.has(job.id)) {
      this.active.add(job.id);
      await this.writeIndex();
    }
    await this.keyv.set(`job:${job.id}`, job, done ? this.finishedJobTtlMs : undefined);
    if (done && (this.active.has(job.id) || this.indexed.has(job.id))) {
      this.active.delete(job.id);
      await this.writeIndex();
    }
  }

  async getJob(id: string): Promise<Job | undefined> {
    return this.keyv.get<Job>(`job:${id}`);
  }

  async listActiveJobs(): Promise<Job[]> {
    const ids = [...this.active];
    if (ids.length === 0) return [];
    const jobs = await this.keyv.getMany<Job>(ids.map((id) => `job:${id}`));
    return jobs.filter((job): job is Job => job !== undefined && isOpen(job));
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

  keepImage(jobId: string, until: number): Promise<void> {
    return this.kept.keep(jobId, until);
  }

  dropExpiredImages(now: number): Promise<number> {
    return this.kept.dropExpired(now);
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return this.keyv.get<T>(`meta:${key}`);
  }

  async setMeta<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    await this.keyv.set(`meta:${key}`, value, ttlMs);
  }

  pruneExpired(now = Date.now()): Promise<number> {
    return this.backend.pruneExpired(now);
  }

  fresh(): Promise<void> {
    return this.lease ? this.lease.fresh() : Promise.resolve();
  }

  async close(): Promise<void> {
    await this.indexWrite.catch(() => undefined);
    await this.kept.idle();
    await this.lease?.release();
    await this.backend.close();
  }

  /**
   * Writes of the index are serialised (keyv has no atomic update) and coalesced: a caller waits for the first
   * write that starts after its change, so a burst of accepted jobs costs a few writes, not one each.
   */
  private writeIndex(): Promise<unknown> {
    if (this.nextIndexWrite) return this.nextIndexWrite;
    const next = this.indexWrite
      .catch(() => undefined)
      .then(async () => {
        this.nextIndexWrite = undefined;
        const ids = [...this.active];
        await this.keyv.set(this.activeIndexKey, ids);
        this.indexed = new Set(ids);
      });
    this.nextIndexWrite = next;
    this.indexWrite = next;
    return next;
  }
}
