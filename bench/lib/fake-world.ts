/**
 * The stand-ins a benchmark drives: the loopback Discord (with N guilds) and Replicate from test/fakes, plus the
 * load generators (bursts, paced streams of /video). This module runs either inside the bench process or inside
 * `bench/fakes-process.ts`, so every method takes and returns plain JSON.
 */
import { readFileSync } from 'node:fs';
import { Server } from 'node:net';
import type { Clock } from '../../src/clock.js';
import { systemClock } from '../../src/clock.js';
import { startFakeDiscord, type FakeDiscord, type FakeGuild } from '../../test/fakes/discord/fake-discord.js';
import { createSnowflakes, snowflakeOnShard } from '../../test/fakes/discord/snowflake.js';
import { startFakeReplicate, type FakeReplicate } from '../../test/fakes/replicate/fake-replicate.js';

export interface FakeWorldOptions {
  guildCount: number;
  /** Creation to end of every prediction not scripted otherwise. */
  predictionMs: number;
  /**
   * listen() backlog of the stand-ins' HTTP servers. The fakes listen with Node's default (511); a burst of 1,000
   * requests on fresh connections overflows it, the kernel drops SYNs and clients retry after 1 s, 3 s... Real
   * Discord does not drop them, so benches raise it (capped by net.core.somaxconn). Default: Node's 511.
   */
  backlog?: number;
  /**
   * Spread the guilds evenly over this many shards (ids that Discord's `(id >> 22) % count` puts on guild i's shard
   * `i % count`). Unset: ids from the clock, which at start-up all fall in one millisecond, hence on one shard.
   */
  shardCount?: number;
}

export interface FakeEndpoints {
  discordApiUrl: string;
  discordToken: string;
  replicateUrl: string;
  replicateToken: string;
  guildIds: string[];
  /** Each guild's first channel, in the order of `guildIds`. */
  channelIds: string[];
  applicationId: string;
}

export interface SendOptions {
  /** Users are numbered; each interaction gets its own user from `firstUser` on. */
  firstUser: number;
  attachmentSizeLimit?: number;
}

export interface PacedResult {
  sent: number;
  /** Real time from the first to the last batch. */
  spanMs: number;
  batches: number;
  /** How late batches fired against their schedule (timer lag of the sending loop). */
  batchLagP99Ms: number;
  batchLagMaxMs: number;
}

export interface AckSample {
  interactionId: string;
  /** Wall-clock ms (sub-ms precision) INTERACTION_CREATE was sent and the callback arrived. */
  dispatchedAt: number;
  receivedAt: number;
  latencyMs: number;
  accepted: boolean;
  status: number;
}

/** Sub-millisecond wall clock, so latencies of a few ms are not rounded to whole ms. */
export const preciseClock: Clock = { ...systemClock, now: () => performance.timeOrigin + performance.now() };

export class FakeWorld {
  private constructor(
    readonly discord: FakeDiscord,
    readonly replicate: FakeReplicate,
    private readonly connections: { discord: number; replicate: number },
  ) {}

  static async start(options: FakeWorldOptions): Promise<FakeWorld> {
    const newId = createSnowflakes(() => Date.now());
    const { shardCount } = options;
    const guilds: FakeGuild[] = Array.from({ length: options.guildCount }, (_, i) => ({
      id: shardCount ? snowflakeOnShard(i % shardCount, shardCount, i) : newId(),
      name: `Bench Guild ${i + 1}`,
      channels: [{ id: newId(), name: 'videos' }],
    }));
    const connections = { discord: 0, replicate: 0 };
    const discord = await withListenHook(options.backlog, () => connections.discord++, () =>
      startFakeDiscord({ clock: preciseClock, guilds }),
    );
    const replicate = await withListenHook(options.backlog, () => connections.replicate++, () =>
      startFakeReplicate({ clock: preciseClock, defaultDurationMs: options.predictionMs }),
    );
    return new FakeWorld(discord, replicate, connections);
  }

  /** TCP connections accepted so far by each stand-in. */
  connectionCounts(): { discord: number; replicate: number } {
    return { ...this.connections };
  }

  endpoints(): FakeEndpoints {
    return {
      discordApiUrl: this.discord.apiUrl,
      discordToken: this.discord.botToken,
      replicateUrl: this.replicate.baseUrl,
      replicateToken: this.replicate.token,
      guildIds: this.discord.guilds.map((g) => g.id),
      channelIds: this.discord.guilds.map((g) => g.channels[0]!.id),
      applicationId: this.discord.applicationId,
    };
  }

  /** Sends `count` /video interactions at once, round robin over the guilds, each from a distinct user. */
  burst(count: number, options: SendOptions): string[] {
    const ids: string[] = [];
    const guilds = this.discord.guilds;
    for (let i = 0; i < count; i++) {
      const user = options.firstUser + i;
      const guild = guilds[user % guilds.length]!;
      const handle = this.discord.sendSlashCommand({
        name: 'video',
        options: { prompt: `a bench video number ${user}` },
        guildId: guild.id,
        user: { id: String(200_000_000_000_000_000n + BigInt(user)), username: `member${user}` },
        ...(options.attachmentSizeLimit ? { attachmentSizeLimit: options.attachmentSizeLimit } : {}),
      });
      ids.push(handle.id);
    }
    return ids;
  }

  /**
   * Sends `perSecond` interactions per second for `seconds`, in a batch every `everyMs`. The loop tracks the schedule
   * (a late timer sends the backlog), so the offered rate holds even when the event loop is busy.
   */
  async paced(perSecond: number, seconds: number, everyMs: number, firstUser: number): Promise<PacedResult> {
    const total = Math.round(perSecond * seconds);
    const start = performance.now();
    let sent = 0;
    let batches = 0;
    const lags: number[] = [];
    while (sent < total) {
      const due = start + batches * everyMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      lags.push(Math.max(0, performance.now() - due));
      const target = Math.min(total, Math.floor(((performance.now() - start) / 1000) * perSecond) + 1);
      const n = Math.max(0, target - sent);
      this.burst(n, { firstUser: firstUser + sent });
      sent += n;
      batches++;
    }
    lags.sort((a, b) => a - b);
    return {
      sent,
      spanMs: performance.now() - start,
      batches,
      batchLagP99Ms: lags[Math.floor(lags.length * 0.99)] ?? 0,
      batchLagMaxMs: lags.at(-1) ?? 0,
    };
  }

  /** Every callback attempt so far (accepted or not). */
  ackSamples(): AckSample[] {
    return this.discord.ackLatencies().map((a) => ({
      interactionId: a.interactionId,
      dispatchedAt: a.dispatchedAt,
      receivedAt: a.receivedAt,
      latencyMs: a.latencyMs,
      accepted: a.accepted,
      status: a.status,
    }));
  }

  ackCount(): number {
    return this.discord.ackLatencies().length;
  }

  /** Discord requests by route name (e.g. `PATCH /webhooks/:app/:token/messages/:message`). */
  discordRequestCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.discord.requests) {
      const key = `${r.route ?? 'unmatched'} ${r.status}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  replicateRequestCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.replicate.requests) counts[r.route] = (counts[r.route] ?? 0) + 1;
    return counts;
  }

  /**
   * When each prediction's status was first read (`GET /v1/predictions/:id`) at or after `since` (wall-clock ms of
   * the fake's records): prediction id → time. Reads the fake's request log; changes nothing.
   */
  firstStatusReads(since: number): Record<string, number> {
    const first: Record<string, number> = {};
    for (const r of this.replicate.requests) {
      if (r.route !== 'get' || r.time < since) continue;
      const id = r.path.slice('/v1/predictions/'.length).split('?')[0]!;
      if (first[id] === undefined) first[id] = r.time;
    }
    return first;
  }

  /** Discord requests received at or after `since`, by route name and arrival (wall-clock ms), in order. */
  discordTimeline(since: number): { route: string; at: number }[] {
    return this.discord.requests.filter((r) => r.at >= since).map((r) => ({ route: r.route ?? 'unmatched', at: r.at }));
  }

  /** The next prediction ends after `durationMs` with the mp4 at `outputPath` as its output. */
  script(durationMs: number, outputPath?: string): void {
    this.replicate.script({ durationMs, ...(outputPath ? { output: readFileSync(outputPath) } : {}) });
  }

  /** Interaction token and application id, to call the webhook routes as the bot would. */
  replyTarget(interactionId: string): { token: string; applicationId: string; acknowledged: boolean } {
    const record = this.discord.interaction(interactionId);
    return { token: record.token, applicationId: record.applicationId, acknowledged: record.ackType !== undefined };
  }

  /** Size of the file on the interaction's original reply, once the video was delivered there. */
  deliveredBytes(interactionId: string): number | undefined {
    const record = this.discord.interaction(interactionId);
    const file = record.original?.attachments[0];
    if (file) return file.size;
    const channelFile = this.discord
      .channelMessages(record.channelId)
      .flatMap((m) => m.attachments)
      .at(-1);
    return channelFile?.size;
  }

  async close(): Promise<void> {
    await this.discord.close();
    await this.replicate.close();
  }
}

/**
 * Runs `start` with net.Server#listen patched: `listen(port, host, cb)` gets `backlog` inserted, and every server
 * started counts its connections. The fakes are not changed; the patch is undone before returning.
 */
async function withListenHook<T>(backlog: number | undefined, onConnection: () => void, start: () => Promise<T>): Promise<T> {
  const original = Server.prototype.listen;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  Server.prototype.listen = function (this: Server, ...args: any[]) {
    this.on('connection', onConnection);
    if (backlog !== undefined && typeof args[0] === 'number' && typeof args[1] === 'string' && typeof args[2] === 'function') {
      args = [args[0], args[1], backlog, args[2]];
    }
    return original.apply(this, args as Parameters<Server['listen']>);
  } as Server['listen'];
  try {
    return await start();
  } finally {
    Server.prototype.listen = original;
  }
}
