import { rm, rmdir } from 'node:fs/promises';
import type { REST } from 'discord.js';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Job, ReplyTarget } from '../queue/job.js';
import type { DeliverOptions, DeliveryKind, ProgressInfo, Responder } from '../queue/ports.js';
import { createChannelHealth } from './channel-health.js';
import { createDeliveryCheck, type Posted } from './delivery-check.js';
import { createDelivery, defaultAttachmentLimit, type DeliveryHooks } from './delivery.js';
import { createDiscordApi, describeRestError, isAmbiguousError, isChannelUnusableError, isDeadReplyError, nonceFor } from './discord-api.js';
import { createProgressTracker, mergeReply } from './progress-tracker.js';
import { onlyMentioning, renderProgress, type MessageView } from './progress-view.js';
import { emptyTempRoot, keptOutputPath, responderTempRoot } from './temp-dir.js';

export interface DiscordResponderOptions {
  /** The bot's REST client (`client.rest`); webhook calls go without auth, channel messages with the bot token. */
  rest: REST;
  /**
   * A client with the same token that never resends (retries 0) and has a long timeout (see `createUploadRest`):
   * uploads and pings go through it under their own size-scaled timeouts. Default `rest` (tests pass one with
   * retries 0).
   */
  uploadRest?: REST;
  clock: Clock;
  log: Logger;
  /** The bot's own user id: a job canceled "by the bot" (e.g. shutdown) is shown as plainly canceled. */
  botUserId?: string;
  /** Least time between two edits of one job's message (default 3000 ms). */
  editIntervalMs?: number;
  /** How often running jobs are re-rendered so the elapsed time moves (default 15 000 ms). */
  progressIntervalMs?: number;
  /** Interaction token lifetime (default 15 min). */
  tokenLifetimeMs?: number;
  /** Progress moves to a channel message this long before the token expires (default 2 min). */
  moveBeforeExpiryMs?: number;
  /** Persists a job's new reply target; awaited before the original reply points at the channel message. */
  saveReply: (jobId: string, reply: ReplyTarget) => Promise<void>;
  /**
   * The responder's own folder for downloads and re-encodes (default `responderTempRoot('default')`). At start it is
   * emptied of what a killed process left, except the whole downloads of jobs still to post (`kept-<job>.mp4`, kept
   * until their job ends). Never share it between two processes.
   */
  tempDir?: string;
  /** Used to download the output (default global fetch). */
  fetch?: typeof fetch;
  /** First wait between download tries (default 1000 ms, doubled up to a minute, for as long as the output exists). */
  downloadBackoffMs?: number;
  /** Largest output downloaded, in bytes (default 200 MiB); a larger one ends the job in plain words. */
  maxDownloadBytes?: number;
  /** ffmpeg binary (default: FFMPEG_PATH, PATH, then @ffmpeg-installer/ffmpeg). */
  ffmpegPath?: string;
  reencodeTimeoutMs?: number;
  /** Largest file in a bot's channel message (default 10 MiB). */
  channelAttachmentLimit?: number;
  /** An upload may take this long plus its size at the minimum rate (defaults 30 000 ms and 64 KiB/s). */
  uploadTimeoutBaseMs?: number;
  uploadMinBytesPerSecond?: number;
  /** First wait before a delivery step is sent again after a 5xx, a 429 or a reset (default 2000 ms, doubled). */
  retryBackoffMs?: number;
}

/** How long a final view (failed, canceled) is retried through a Discord outage. */
const finalPatienceMs = 30 * 60_000;

/** The responder, plus `close()` for shutdown (stops its timers). */
export type DiscordResponder = Responder & { close(): Promise<void> };

export function createDiscordResponder(options: DiscordResponderOptions): DiscordResponder {
  const { clock, log, botUserId } = options;
  const tokenLifetimeMs = options.tokenLifetimeMs ?? 15 * 60_000;
  const api = createDiscordApi(options.rest, options.uploadRest);
  const health = createChannelHealth(clock);
  const check = createDeliveryCheck(api, log);
  const tempDir = options.tempDir ?? responderTempRoot('default');
  const tempReady = emptyTempRoot(tempDir).then(
    (removed) => {
      if (removed > 0) log.info({ removed }, 'temporary files of an earlier run removed');
    },
    (err: unknown) => log.warn({ err }, 'temporary folder not emptied'),
  );
  const tracker = createProgressTracker({
    api, clock, log, tokenLifetimeMs, health,
    editIntervalMs: options.editIntervalMs ?? 3000,
    progressIntervalMs: options.progressIntervalMs ?? 15_000,
    moveBeforeExpiryMs: options.moveBeforeExpiryMs ?? 2 * 60_000,
    saveReply: options.saveReply,
  });
  const delivery = createDelivery({
    api, check, health, clock, log, tokenLifetimeMs,
    tempDir,
    channelAttachmentLimit: options.channelAttachmentLimit ?? defaultAttachmentLimit,
    fetch: options.fetch,
    downloadBackoffMs: options.downloadBackoffMs,
    maxDownloadBytes: options.maxDownloadBytes,
    ffmpegPath: options.ffmpegPath,
    reencodeTimeoutMs: options.reencodeTimeoutMs,
    uploadTimeoutBaseMs: options.uploadTimeoutBaseMs,
    uploadMinBytesPerSecond: options.uploadMinBytesPerSecond,
    retryBackoffMs: options.retryBackoffMs,
  });

  const visible = (job: Job): Job =>
    botUserId && job.canceledBy === botUserId ? { ...job, canceledBy: undefined } : job;
  const tokenAlive = (reply: ReplyTarget) => clock.now() - reply.interactionAt < tokenLifetimeMs;

  /**
   * After a restart mid-delivery with no `postedAt`: is the video up anyway (posted, then the process died before it
   * was recorded)? The member's reply is read back while its token lives, then the channel's history. A check that
   * cannot tell means "no": the video is posted rather than lost (a channel post reuses its nonce, so a repeat
   * within minutes of the first is returned by Discord instead of doubled).
   */
  async function alreadyPosted(job: Job, reply: ReplyTarget): Promise<Posted | undefined> {
    const onReply = !reply.channelMessageId && tokenAlive(reply) ? await check.onOriginal(job, reply) : undefined;
    const inChannel = onReply ? undefined : await check.inChannel(job, reply, job.predictionDoneAt ?? job.updatedAt, clock.now());
    const found: Posted | undefined =
      onReply ?? (inChannel ? { kind: 'channel', message: { channelId: reply.channelId, messageId: inChannel.id } } : undefined);
    if (found) log.info({ jobId: job.id, delivery: found.kind }, 'video was already delivered before the restart');
    return found;
  }

  /** A resumed delivery: skips what the record says is done and checks Discord for what it cannot know. */
  async function resume(job: Job, reply: ReplyTarget, hooks: DeliveryHooks, stop?: AbortSignal): Promise<DeliveryKind | undefined> {
    if (job.postedAt !== undefined) {
      const kind = job.delivery ?? 'attachment';
      log.info({ jobId: job.id, delivery: kind }, 'video was already delivered before the restart');
      if (job.pingedAt !== undefined || kind === 'channel') {
        if (job.pingedAt === undefined) {
          // Stopped between the channel post's record and its end: the moved progress may still say "Preparing".
          await delivery.closeMovedProgress(job, reply);
          await hooks.markPinged();
        }
        return kind;
      }
      // Posted and recorded; the ping may or may not have gone out before the stop.
      const pinged = await check.pinged(job, reply, job.postedAt);
      if (pinged === true) log.info({ jobId: job.id }, 'member was already pinged before the restart');
      if (pinged === true || (await delivery.ping(job, reply, job.postedAt, stop))) await hooks.markPinged();
      return kind;
    }
    const found = await alreadyPosted(job, reply);
    if (found) await delivery.announce(job, reply, found, hooks, stop);
    return found?.kind;
  }

  /**
   * The final view of a failed or canceled job, wherever the member can still see it. Resolves true when it is shown
   * (or can never be), false when Discord failed in a way worth trying again. Never throws.
   */
  async function showFinal(job: Job, reply: ReplyTarget, view: MessageView): Promise<boolean> {
    try {
      // In the channel, a message must say whose video it was about.
      const addressed = { ...view, content: `<@${job.userId}> ${view.content}` };
      const channelUsable = !health.isUnusable(reply.channelId);
      if (reply.channelMessageId && channelUsable) {
        try {
          await api.editChannelMessage(reply.channelId, reply.channelMessageId, addressed);
          return true;
        } catch (err) {
          if (!isChannelUnusableError(err)) throw err;
          health.markUnusable(reply.channelId, describeRestError(err).code);
        }
      }
      if (tokenAlive(reply)) {
        try {
          await api.editOriginal(reply, view);
          return true;
        } catch (err) {
          if (!isDeadReplyError(err)) throw err;
        }
      }
      if (health.isUnusable(reply.channelId)) {
        log.warn({ jobId: job.id }, 'final state not shown: neither the reply nor the channel can be used');
        return true;
      }
      const nonce = nonceFor(job.id, 'final');
      await api.postChannelMessage(reply.channelId, { ...addressed, allowed_mentions: onlyMentioning(job.userId) }, { nonce });
      return true;
    } catch (err) {
      log.warn({ jobId: job.id, err: describeRestError(err) }, 'final edit failed');
      return !isAmbiguousError(err);
    }
  }

  /** Final views Discord refused for now, tried again in the background (the job's slot is not held for them). */
  const finals = new Map<string, AbortController>();

  /** Resolves once shown (or given up after `finalPatienceMs`); rejects when the responder closes first. */
  async function showFinalLater(job: Job, reply: ReplyTarget, view: MessageView): Promise<void> {
    const controller = new AbortController();
    finals.get(job.id)?.abort();
    finals.set(job.id, controller);
    const giveUpAt = clock.now() + finalPatienceMs;
    try {
      for (let attempt = 1; clock.now() < giveUpAt; attempt++) {
        await clock.sleep(Math.min(2 * 60_000, (options.retryBackoffMs ?? 2000) * 2 ** (attempt - 1)), controller.signal);
        if (await showFinal(job, reply, view)) return;
      }
      log.error({ jobId: job.id }, 'final state not shown: Discord kept failing');
    } finally {
      if (finals.get(job.id) === controller) finals.delete(job.id);
    }
  }

  const noHooks: DeliveryHooks = { markPosted: async () => {}, markPinged: async () => {} };

  /** The job's kept download is no longer needed (it was posted, or the job ended another way). */
  const dropKept = (job: Job) =>
    rm(keptOutputPath(tempDir, job.id), { force: true }).catch((err: unknown) => {
      log.warn({ jobId: job.id, err }, 'kept video not removed');
    });

  return {
    async close() {
      for (const controller of finals.values()) controller.abort();
      await tracker.stopAll();
      // Deliveries have stopped and cleaned their own folders: an empty root goes too (rmdir refuses a full one).
      await tempReady;
      await rmdir(tempDir).catch(() => undefined);
    },
    update(job: Job, info?: ProgressInfo): void {
      try {
        tracker.update(visible(job), info);
      } catch (err) {
        log.error({ jobId: job.id, err }, 'progress update failed');
      }
    },
    async finish(job: Job): Promise<void> {
      const reply = mergeReply(job.reply, (await tracker.stop(job.id)) ?? job.reply);
      const view = renderProgress(visible(job), { now: clock.now() });
      await dropKept(job);
      if (!(await showFinal(job, reply, view))) await showFinalLater(job, reply, view);
    },
    async deliver(job: Job, outputUrl: string, signal?: AbortSignal, opts?: DeliverOptions): Promise<DeliveryKind> {
      await tempReady;
      const tracked = await tracker.stop(job.id, true);
      signal?.throwIfAborted();
      const reply = mergeReply(job.reply, tracked ?? job.reply);
      const hooks: DeliveryHooks = {
        markPosted: opts?.markPosted?.bind(opts) ?? noHooks.markPosted,
        markPinged: opts?.markPinged?.bind(opts) ?? noHooks.markPinged,
      };
      if (opts?.resumed || job.postedAt !== undefined) {
        const done = await resume(job, reply, hooks, signal);
        if (done) {
          await dropKept(job);
          return done;
        }
      }
      return delivery.deliver(job, reply, outputUrl, hooks, signal);
    },
  };
}
