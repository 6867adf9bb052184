import type { Logger } from 'pino';
import type { Clock, Timer } from '../clock.js';
import { isTerminal, type Job, type ReplyTarget } from '../queue/job.js';
import { isFencedRefusal, type ProgressInfo } from '../queue/ports.js';
import type { ChannelHealth } from './channel-health.js';
import { describeRestError, isChannelUnusableError, isDeadReplyError, nonceFor, type DiscordApi } from './discord-api.js';
import { renderMoved, renderProgress, type MessageView } from './progress-view.js';

export interface ProgressTrackerOptions {
  api: DiscordApi;
  /** Channels found unusable: no edit or move is tried there, and a permanent refusal marks the channel. */
  health: ChannelHealth;
  clock: Clock;
  log: Logger;
  editIntervalMs: number;
  progressIntervalMs: number;
  tokenLifetimeMs: number;
  moveBeforeExpiryMs: number;
  saveReply: (jobId: string, reply: ReplyTarget) => Promise<void>;
}

interface Tracked {
  job: Job;
  reply: ReplyTarget;
  position?: number;
  /** The ETA the queue gave (waiting: ms as of its update; running: the estimated end), kept between its updates. */
  etaMs?: number;
  readyAt?: number;
  /** The last view sent (or dropped after an error), to skip edits that change nothing. */
  sentKey?: string;
  lastEditAt: number;
  inFlight?: Promise<void>;
  wake?: Timer;
  moveFailed: boolean;
  /** Neither the original reply nor a channel message can be edited: stop trying. */
  gone: boolean;
  errorLogged: boolean;
}

/** A reply that moved to a channel message stays moved, whatever copy of the job a caller passes in. */
export function mergeReply(known: ReplyTarget, incoming: ReplyTarget): ReplyTarget {
  const channelMessageId = incoming.channelMessageId ?? known.channelMessageId;
  return channelMessageId ? { ...incoming, channelMessageId } : incoming;
}

const liveStates = new Set(['queued', 'starting', 'running']);

/**
 * Keeps each live job's message current: one edit in flight per job, at most one per editIntervalMs, latest view
 * wins, unchanged views are not sent. A ticker re-renders running jobs and moves progress to a channel message
 * before the interaction token expires (or as soon as Discord says the token or message is gone).
 */
export function createProgressTracker(o: ProgressTrackerOptions) {
  const tracked = new Map<string, Tracked>();
  /** Jobs whose final message was (or is being) shown: a late update must not overwrite it. Bounded FIFO. */
  const closed = new Set<string>();
  let ticker: Timer | undefined;

  const tokenNearlyExpired = (reply: ReplyTarget) =>
    o.clock.now() - reply.interactionAt >= o.tokenLifetimeMs - o.moveBeforeExpiryMs;
  const tokenAlive = (reply: ReplyTarget) => o.clock.now() - reply.interactionAt < o.tokenLifetimeMs;

  /** Terminal states are shown by the responder's finish/deliver, not here. */
  function update(job: Job, info?: ProgressInfo): void {
    if (isTerminal(job.state) || closed.has(job.id)) return;
    let t = tracked.get(job.id);
    if (!t) {
      t = { job, reply: job.reply, lastEditAt: -Infinity, moveFailed: false, gone: false, errorLogged: false };
      tracked.set(job.id, t);
    }
    t.job = job;
    t.reply = mergeReply(t.reply, job.reply);
    t.position = info?.position ?? (job.state === 'queued' ? t.position : undefined);
    // Each update carries the ETA in force (the queue adds it to all of them): absent means there is none.
    t.etaMs = job.state === 'queued' ? (info?.position !== undefined || info?.etaMs !== undefined ? info.etaMs : t.etaMs) : undefined;
    t.readyAt = job.state === 'running' ? info?.readyAt : undefined;
    ticker ??= o.clock.setTimer(o.progressIntervalMs, tick);
    pump(t);
  }

  function tick(): void {
    ticker = undefined;
    for (const t of tracked.values()) pump(t);
    if (tracked.size > 0) ticker = o.clock.setTimer(o.progressIntervalMs, tick);
  }

  function pump(t: Tracked): void {
    if (t.gone || t.inFlight || t.wake || tracked.get(t.job.id) !== t) return;
    const wait = t.lastEditAt + o.editIntervalMs - o.clock.now();
    if (wait > 0) {
      t.wake = o.clock.setTimer(wait, () => {
        t.wake = undefined;
        pump(t);
      });
      return;
    }
    const view = renderProgress(t.job, { position: t.position, etaMs: t.etaMs, readyAt: t.readyAt, now: o.clock.now() });
    const key = JSON.stringify(view);
    const movable = !t.reply.channelMessageId && !t.moveFailed && liveStates.has(t.job.state);
    const move = movable && tokenNearlyExpired(t.reply);
    if (key === t.sentKey && !move) return;
    t.lastEditAt = o.clock.now();
    // A failed view is dropped like a sent one: the next change (or tick) tries again, never a tight retry loop.
    t.sentKey = key;
    t.inFlight = send(t, view, move)
      .catch((err: unknown) => logOnce(t, err))
      .finally(() => {
        t.inFlight = undefined;
        pump(t);
      });
  }

  async function send(t: Tracked, view: MessageView, move: boolean): Promise<void> {
    const { reply } = t;
    const channelUsable = !o.health.isUnusable(reply.channelId);
    try {
      if (reply.channelMessageId) {
        if (!channelUsable) return stopFor(t);
        return await o.api.editChannelMessage(reply.channelId, reply.channelMessageId, view);
      }
      if (!move) return void (await o.api.editOriginal(reply, view));
      if (!channelUsable) {
        // Nowhere to move to: keep editing the reply while its token lives.
        t.moveFailed = true;
        return void (await o.api.editOriginal(reply, view));
      }
    } catch (err) {
      if (reply.channelMessageId && isChannelUnusableError(err)) {
        o.health.markUnusable(reply.channelId, describeRestError(err).code);
        stopFor(t);
        throw err;
      }
      if (!isDeadReplyError(err)) throw err;
      if (t.moveFailed) t.gone = true;
      if (t.gone) throw err;
      return await moveToChannel(t, view, false);
    }
    // A token that expired while the bot was down: the original cannot be pointed at the channel message.
    await moveToChannel(t, view, tokenAlive(reply));
  }

  /** Posts the view as a channel message, persists its id, and only then points the original reply at it. */
  async function moveToChannel(t: Tracked, view: MessageView, originalAlive: boolean): Promise<void> {
    const previous = t.reply;
    let messageId: string;
    try {
      // One move per job: the nonce makes a resend (after a 5xx that had landed) return the same message.
      const nonce = nonceFor(t.job.id, 'progress');
      messageId = (await o.api.postChannelMessage(previous.channelId, view, { nonce })).id;
    } catch (err) {
      t.moveFailed = true;
      if (isChannelUnusableError(err)) o.health.markUnusable(previous.channelId, describeRestError(err).code);
      throw err;
    }
    t.reply = { ...previous, channelMessageId: messageId };
    await o.saveReply(t.job.id, t.reply);
    o.log.info({ jobId: t.job.id, channelId: previous.channelId, messageId }, 'progress moved to a channel message');
    if (!originalAlive || previous.channelMessageId) return;
    await o.api.editOriginal(previous, renderMoved(t.job)).catch((err: unknown) => {
      const summary = describeRestError(err);
      o.log.debug({ jobId: t.job.id, err: summary }, 'original reply not pointed at the channel message');
    });
  }

  /** The progress message's channel is unusable (permanent): no more edits for this job. */
  function stopFor(t: Tracked): void {
    t.gone = true;
  }

  function logOnce(t: Tracked, err: unknown): void {
    // Held back because another process took the lease over: the lease says so, once, and the bot stops.
    if (t.errorLogged || isFencedRefusal(err)) return;
    t.errorLogged = true;
    o.log.warn({ jobId: t.job.id, err: describeRestError(err) }, 'progress edit failed');
  }

  /**
   * Stops tracking a job and returns its latest reply target. Timers are canceled and any edit in flight is
   * awaited; with `flush`, a view still waiting for its turn is sent first (e.g. "Preparing your video…").
   */
  async function stop(jobId: string, flush = false): Promise<ReplyTarget | undefined> {
    closed.add(jobId);
    if (closed.size > 10_000) closed.delete(closed.values().next().value as string);
    const t = tracked.get(jobId);
    if (!t) return undefined;
    if (flush) {
      await t.inFlight;
      t.wake?.cancel();
      t.wake = undefined;
      t.lastEditAt = -Infinity;
      pump(t);
    }
    tracked.delete(jobId);
    t.wake?.cancel();
    if (tracked.size === 0) {
      ticker?.cancel();
      ticker = undefined;
    }
    await t.inFlight;
    return t.reply;
  }

  /**
   * Shutdown: stops every timer and waits for edits in flight, at most `graceMs`; views not yet sent are dropped.
   * After a restart with hundreds of jobs, edits queue behind discord.js's 50 requests/s: a stop must not wait for
   * them all (SIGTERM has 10 s). A progress view is redrawn by the next start anyway.
   */
  async function stopAll(graceMs = 3_000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all([...tracked.keys()].map((jobId) => stop(jobId))), grace]);
    clearTimeout(timer);
  }

  return { update, stop, stopAll };
}

export type ProgressTracker = ReturnType<typeof createProgressTracker>;
