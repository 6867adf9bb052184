import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Job } from '../queue/job.js';
import { ownerOf, shardIdForGuild } from '../sharding/shard-owner.js';
import type { Backend, LeaseHolder } from './backend.js';
import { guildListKey } from './keys.js';
import { activeIndexKey, keptImagesKey } from './keys.js';
import { isProvablyDead } from './lease.js';
import { StoreError } from './store-error.js';

/**
 * Which owners share the store: `npm start` alone (`main` owns every guild), or `shardCount` shards (`shard-<id>`
 * owns the guilds Discord's formula gives it). Recorded under `meta:layout`; a store without it is `single`.
 */
export type Layout = { mode: 'single' } | { mode: 'sharded'; shardCount: number };

/** As stored: `changing` is set while jobs are being moved (every process but one that finishes the move refuses). */
type StoredLayout = Layout & { changing?: Layout };

const layoutKey = 'meta:layout';
/** The lease that makes one process at a time change the layout. */
const layoutLeaseOwner = 'layout';
const claimTtlMs = 60_000;

export function describeLayout(layout: Layout): string {
  return layout.mode === 'single' ? 'one process (npm start)' : `${layout.shardCount} shards`;
}

export function ownersOf(layout: Layout): string[] {
  if (layout.mode === 'single') return ['main'];
  return Array.from({ length: layout.shardCount }, (_, id) => ownerOf({ id, count: layout.shardCount }));
}

/** The owner of a guild's jobs and records under `layout` (a job without a guild goes where DMs go: shard 0). */
export function ownerOfGuild(layout: Layout, guildId: string | undefined): string {
  if (layout.mode === 'single') return 'main';
  const id = guildId && /^\d+$/.test(guildId) ? shardIdForGuild(guildId, layout.shardCount) : 0;
  return ownerOf({ id, count: layout.shardCount });
}

function sameLayout(a: Layout, b: Layout): boolean {
  return a.mode === b.mode && (a.mode === 'single' || a.shardCount === (b as { shardCount: number }).shardCount);
}

export interface AdoptLayoutOptions {
  keyv: Keyv;
  backend: Backend;
  log: Logger;
  clock: Clock;
  /** The owner whose lease this process holds already (it is not claimed again). */
  held?: string;
  /** false: a layout other than `wanted` is refused instead of changed (a shard leaves that to its manager). */
  rehome: boolean;
  /** How long to wait for another process changing the layout right now (default 30 s). */
  waitMs?: number;
}

/**
 * Makes the store's layout `wanted` before any owner of it runs a job. When it differs, the jobs in every old
 * owner's active index (and the owners' guild and kept-image lists) are moved by guild to the new owners, under the
 * leases of every owner old and new, so no process of either layout can run meanwhile. Each step writes a value
 * computed from all the lists at once, new owners first and the layout record last, so an interrupted change is
 * finished by the next start and a job is never in two indexes that both run.
 */
export async function adoptLayout(wanted: Layout, o: AdoptLayoutOptions): Promise<void> {
  const stored = (await o.keyv.get<StoredLayout>(layoutKey)) ?? { mode: 'single' };
  if (!stored.changing && sameLayout(stored, wanted)) return;
  if (!o.rehome) {
    const now = stored.changing ? `being moved to ${describeLayout(stored.changing)}` : `laid out for ${describeLayout(stored)}`;
    throw new StoreError(
      `the store at ${o.backend.where} is ${now}, not ${describeLayout(wanted)}; start the shards with npm run start:sharded, which moves the jobs first`,
    );
  }
  const me: LeaseHolder = { holder: randomUUID(), host: hostname(), pid: process.pid };
  const taken: string[] = [];
  try {
    await claimOrWait(layoutLeaseOwner, me, o, o.waitMs ?? 30_000);
    taken.push(layoutLeaseOwner);
    const stored = (await o.keyv.get<StoredLayout>(layoutKey)) ?? { mode: 'single' };
    if (!stored.changing && sameLayout(stored, wanted)) return;
    const current: Layout = stored.mode === 'single' ? { mode: 'single' } : { mode: 'sharded', shardCount: stored.shardCount };
    // An interrupted move's owners count too: its new owners may list jobs already.
    const involved = [current, wanted, ...(stored.changing ? [stored.changing] : [])];
    const owners = [...new Set(involved.flatMap(ownersOf))].filter((owner) => owner !== o.held);
    for (const owner of owners) {
      const holder = await claim(owner, me, o);
      if (holder) {
        throw new StoreError(
          `cannot move the store at ${o.backend.where} from ${describeLayout(current)} to ${describeLayout(wanted)}: '${owner}' still runs (pid ${holder.pid} on host ${holder.host}); stop every bot process on this store first`,
        );
      }
      taken.push(owner);
    }
    await o.keyv.set(layoutKey, { ...current, changing: wanted });
    await rehome(involved, wanted, o);
    await o.keyv.set(layoutKey, wanted);
  } finally {
    for (const owner of taken.reverse()) await o.backend.releaseLease(owner, me).catch(() => undefined);
  }
}

/** Claims `owner`'s lease for `me`; answers the live holder when someone else has it. */
async function claim(owner: string, me: LeaseHolder, o: AdoptLayoutOptions): Promise<LeaseHolder | undefined> {
  let state = await o.backend.claimLease({ owner, me, ttlMs: claimTtlMs });
  if (state.holder.holder !== me.holder && isProvablyDead(state.holder)) {
    state = await o.backend.claimLease({ owner, me, ttlMs: claimTtlMs, replacing: state.holder });
  }
  return state.holder.holder === me.holder ? undefined : state.holder;
}

async function claimOrWait(owner: string, me: LeaseHolder, o: AdoptLayoutOptions, waitMs: number): Promise<void> {
  const deadline = o.clock.now() + waitMs;
  for (;;) {
    const holder = await claim(owner, me, o);
    if (!holder) return;
    if (o.clock.now() >= deadline) {
      throw new StoreError(
        `another process (pid ${holder.pid} on host ${holder.host}) is changing the layout of the store at ${o.backend.where}; try again once it is done`,
      );
    }
    await o.clock.sleep(250);
  }
}

async function rehome(from: Layout[], to: Layout, o: AdoptLayoutOptions): Promise<void> {
  const { keyv, log } = o;
  const everyone = [...new Set([...from.flatMap(ownersOf), ...ownersOf(to)])];
  const leaving = everyone.filter((owner) => !ownersOf(to).includes(owner));

  // Jobs: every id listed anywhere, sorted to its guild's new owner.
  const ids = await listed(keyv, everyone.map(activeIndexKey));
  const records = ids.length ? await keyv.getMany<Job>(ids.map((id) => `job:${id}`)) : [];
  const jobs = new Map<string, string[]>(ownersOf(to).map((owner) => [owner, []]));
  ids.forEach((id, i) => {
    const job = records[i];
    // A record never written (or long gone) has nothing to run; the new owner's start would drop it anyway.
    if (job) jobs.get(ownerOfGuild(to, job.guildId))!.push(id);
  });
  // Guild lists: each guild listed with its new owner.
  const guilds = new Map<string, string[]>(ownersOf(to).map((owner) => [owner, []]));
  for (const id of await listed(keyv, everyone.map(guildListMetaKey))) guilds.get(ownerOfGuild(to, id))!.push(id);

  // First every new owner gets what comes to it, on top of what it lists; only then does anyone lose an entry.
  // A crash in between leaves an entry in two lists, under a layout record that says a change is under way.
  for (const [owner, list] of jobs) await addTo(keyv, activeIndexKey(owner), list);
  for (const [owner, list] of guilds) await addTo(keyv, guildListMetaKey(owner), list);
  const heir = ownersOf(to)[0]!;
  for (const owner of leaving) await moveKeptImages(keyv, owner, heir);
  for (const [owner, list] of jobs) await keyv.set(activeIndexKey(owner), list);
  for (const [owner, list] of guilds) await keyv.set(guildListMetaKey(owner), list);
  for (const owner of leaving) {
    await keyv.set(activeIndexKey(owner), []);
    await keyv.set(guildListMetaKey(owner), []);
  }
  const moved = Object.fromEntries([...jobs].map(([owner, list]) => [owner, list.length]));
  log.info({ from: describeLayout(from[0]!), to: describeLayout(to), jobs: moved }, 'store layout changed; jobs re-homed by guild');
}

function guildListMetaKey(owner: string): string {
  return `meta:${guildListKey(owner)}`;
}

/** The distinct entries of the lists under `keys`. */
async function listed(keyv: Keyv, keys: string[]): Promise<string[]> {
  const lists = await keyv.getMany<string[]>(keys);
  return [...new Set(lists.flatMap((list) => list ?? []))];
}

async function addTo(keyv: Keyv, key: string, entries: string[]): Promise<void> {
  const there = (await keyv.get<string[]>(key)) ?? [];
  const missing = entries.filter((entry) => !there.includes(entry));
  if (missing.length > 0) await keyv.set(key, [...there, ...missing]);
}

async function moveKeptImages(keyv: Keyv, from: string, to: string): Promise<void> {
  const days = (await keyv.get<string[]>(keptImagesKey(from, 'days'))) ?? [];
  if (days.length === 0) return;
  const heirDays = new Set((await keyv.get<string[]>(keptImagesKey(to, 'days'))) ?? []);
  for (const day of days) {
    const moving = (await keyv.get<[string, number][]>(keptImagesKey(from, day))) ?? [];
    const there = (await keyv.get<[string, number][]>(keptImagesKey(to, day))) ?? [];
    const ids = new Set(there.map(([id]) => id));
    await keyv.set(keptImagesKey(to, day), [...there, ...moving.filter(([id]) => !ids.has(id))]);
    heirDays.add(day);
  }
  // Listed with the heir before the leaving owner forgets them: a crash between lists an image twice, harmlessly.
  await keyv.set(keptImagesKey(to, 'days'), [...heirDays].sort());
  await keyv.set(keptImagesKey(from, 'days'), []);
}
