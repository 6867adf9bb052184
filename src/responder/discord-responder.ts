import type { REST } from 'discord.js';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Job, ReplyTarget } from '../queue/job.js';
import type { DeliverOptions, DeliveryKind, ProgressInfo, Responder } from '../queue/ports.js';
import { createDelivery, defaultAttachmentLimit, videoFilename } from './delivery.js';
import { createDiscordApi, describeRestError, isDeadReplyError, type DiscordApi } from './discord-api.js';
import { createProgressTracker, mergeReply } from './progress-tracker.js';
import { onlyMentioning, renderProgress, type MessageView } from './progress-view.js';
import { emptyTempRoot, responderTempRoot } from './temp-dir.js';

export interface DiscordResponderOptions {
  /** The bot's REST client (`client.rest`); webhook calls go without auth, channel messages with the bot token. */
  rest: REST;
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
   * The responder's own folder for downloads and re-encodes (default `responderTempRoot('default')`): emptied at start
   * (what a killed process left), and each delivery cleans its own subfolder. Never share it between two processes.
   */
  tempDir?: string;
  /** Used to download the output (default global fetch). */
  fetch?: typeof fetch;
  /** Download tries for errors other than 404/410 (default 4), first backoff (default 1000 ms, doubled). */
  downloadAttempts?: number;
  downloadBackoffMs?: number;
  /** Largest output downloaded, in bytes (default 200 MiB); a larger one ends the job in plain words. */
  maxDownloadBytes?: number;
  /** ffmpeg binary (default: FFMPEG_PATH, PATH, then @ffmpeg-installer/ffmpeg). */
  ffmpegPath?: string;
  reencodeTimeoutMs?: number;
  /** Largest file in a bot's channel message (default 10 MiB). */
  channelAttachmentLimit?: number;
}

/** The responder, plus `close()` for shutdown (stops its timers). */
export type DiscordResponder = Responder & { close(): Promise<void> };

export function createDiscordResponder(options: DiscordResponderOptions): DiscordResponder {
  const { clock, log, botUserId } = options;
  const tokenLifetimeMs = options.tokenLifetimeMs ?? 15 * 60_000;
  const api: DiscordApi = createDiscordApi(options.rest);
  const tempDir = options.tempDir ?? responderTempRoot('default');
  const tempReady = emptyTempRoot(tempDir).then(
    (removed) => {
      if (removed > 0) log.info({ removed }, 'temporary files of an earlier run removed');
    },
    (err: unknown) => log.warn({ err }, 'temporary folder not emptied'),
  );
  const tracker = createProgressTracker({
    api, clock, log, tokenLifetimeMs,
    editIntervalMs: options.editIntervalMs ?? 3000,
    progressIntervalMs: options.progressIntervalMs ?? 15_000,
    moveBeforeExpiryMs: options.moveBeforeExpiryMs ?? 2 * 60_000,
    saveReply: options.saveReply,
  });
  const delivery = createDelivery({
    api, clock, log, tokenLifetimeMs,
    tempDir,
    channelAttachmentLimit: options.channelAttachmentLimit ?? defaultAttachmentLimit,
    fetch: options.fetch,
    downloadAttempts: options.downloadAttempts,
    downloadBackoffMs: options.downloadBackoffMs,
    maxDownloadBytes: options.maxDownloadBytes,
    ffmpegPath: options.ffmpegPath,
    reencodeTimeoutMs: options.reencodeTimeoutMs,
  });

  const visible = (job: Job): Job =>
    botUserId && job.canceledBy === botUserId ? { ...job, canceledBy: undefined } : job;

  /**
   * After a restart mid-delivery: does the member's reply already carry the video? Only the interaction's own message
   * can be checked (while its token lives); a failed check means "no", so the video is posted rather than lost.
   */
  async function alreadyDelivered(job: Job, reply: ReplyTarget): Promise<boolean> {
    if (reply.channelMessageId || clock.now() - reply.interactionAt >= tokenLifetimeMs) return false;
    try {
      const original = await api.getOriginal(reply);
      const posted = original.attachments.some((a) => a.filename === videoFilename) || original.content.startsWith('✅');
      if (posted) log.info({ jobId: job.id }, 'video was already delivered before the restart');
      return posted;
    } catch (err) {
      log.warn({ jobId: job.id, err: describeRestError(err) }, 'could not check the reply before delivering again');
      return false;
    }
  }

  /** The final view of a failed or canceled job, wherever the member can still see it. Never throws. */
  async function showFinal(job: Job, reply: ReplyTarget, view: MessageView): Promise<void> {
    try {
      // In the channel, a message must say whose video it was about.
      const addressed = { ...view, content: `<@${job.userId}> ${view.content}` };
      if (reply.channelMessageId) {
        await api.editChannelMessage(reply.channelId, reply.channelMessageId, addressed);
        return;
      }
      if (clock.now() - reply.interactionAt < tokenLifetimeMs) {
        try {
          await api.editOriginal(reply, view);
          return;
        } catch (err) {
          if (!isDeadReplyError(err)) throw err;
        }
      }
      await api.postChannelMessage(reply.channelId, { ...addressed, allowed_mentions: onlyMentioning(job.userId) });
    } catch (err) {
      log.warn({ jobId: job.id, err: describeRestError(err) }, 'final edit failed');
    }
  }

  return {
    close: () => tracker.stopAll(),
    update(job: Job, info?: ProgressInfo): void {
      try {
        tracker.update(visible(job), info);
      } catch (err) {
        log.error({ jobId: job.id, err }, 'progress update failed');
      }
    },
    async finish(job: Job): Promise<void> {
      const reply = mergeReply(job.reply, (await tracker.stop(job.id)) ?? job.reply);
      await showFinal(job, reply, renderProgress(visible(job), { now: clock.now() }));
    },
    async deliver(job: Job, outputUrl: string, signal?: AbortSignal, opts?: DeliverOptions): Promise<DeliveryKind> {
      await tempReady;
      const tracked = await tracker.stop(job.id, true);
      signal?.throwIfAborted();
      const reply = mergeReply(job.reply, tracked ?? job.reply);
      if (opts?.resumed && (await alreadyDelivered(job, reply))) return 'attachment';
      return delivery.deliver(job, reply, outputUrl, signal);
    },
  };
}
