import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Job, ReplyTarget } from '../queue/job.js';
import { JobFailure, type DeliveryKind } from '../queue/ports.js';
import { describeRestError, isDeadReplyError, isTooLargeError, type DiscordApi, type UploadFile } from './discord-api.js';
import { downloadToFile } from './download.js';
import { onlyMentioning, renderDeliveredBelow, renderDone, renderReadyPing, type DoneDetails } from './progress-view.js';
import { reencodeToFit } from './reencode.js';

export const defaultAttachmentLimit = 10 * 1024 * 1024;
/** The attachment's name in Discord: also how a restart recognises a video already posted. */
export const videoFilename = 'video.mp4';
export const postFailedReason =
  'The video was made but could not be posted here. Please check the bot can send files in this channel.';

export interface DeliveryOptions {
  api: DiscordApi;
  clock: Clock;
  log: Logger;
  tempDir: string;
  tokenLifetimeMs: number;
  /** Largest file the bot may put in a channel message (Discord's default, 10 MiB). */
  channelAttachmentLimit: number;
  fetch?: typeof fetch;
  downloadAttempts?: number;
  downloadBackoffMs?: number;
  maxDownloadBytes?: number;
  ffmpegPath?: string;
  reencodeTimeoutMs?: number;
}

/** What goes up: a file (as downloaded or re-encoded) or, failing that, the expiring link. */
interface Upload {
  kind: 'attachment' | 'reencoded' | 'link';
  path?: string;
  details: Omit<DoneDetails, 'durationMs'>;
}

/** One delivery's working set: the downloaded file lives in `dir`, removed when the delivery ends. */
interface Work {
  job: Job;
  reply: ReplyTarget;
  url: string;
  dir: string;
  input: string;
  bytes: number;
  signal?: AbortSignal;
}

/**
 * Puts the finished video in front of the member: the original reply edited with the file (re-encoded, or a link
 * when too large) plus a follow-up that pings; once the token is dead or progress moved, one channel message.
 */
export function createDelivery(o: DeliveryOptions) {
  async function prepare(w: Work, limit: number): Promise<Upload> {
    if (w.bytes <= limit) return { kind: 'attachment', path: w.input, details: {} };
    const output = join(w.dir, `fit-${limit}.mp4`);
    try {
      const fit = await reencodeToFit(w.input, output, limit, {
        ffmpegPath: o.ffmpegPath,
        signal: w.signal,
        timeoutMs: o.reencodeTimeoutMs,
      });
      const { keptResolution } = fit;
      const reencoded = { fromBytes: w.bytes, toBytes: fit.bytes, keptResolution, limitBytes: limit };
      o.log.info({ jobId: w.job.id, ...reencoded }, 'video re-encoded to fit');
      return { kind: 'reencoded', path: output, details: { reencoded } };
    } catch (err) {
      w.signal?.throwIfAborted();
      const reason = { type: 'ReencodeError', message: String((err as Error).message) };
      o.log.warn({ jobId: w.job.id, err: reason, bytes: w.bytes, limit }, 're-encode failed, posting a link');
      return { kind: 'link', details: { linkUrl: w.url } };
    }
  }

  const fileOf = (upload: Upload): UploadFile | undefined =>
    upload.path ? { path: upload.path, name: videoFilename, contentType: 'video/mp4' } : undefined;

  const doneView = (w: Work, upload: Upload) =>
    renderDone(w.job, { durationMs: o.clock.now() - w.job.createdAt, ...upload.details });

  async function toOriginal(w: Work, upload: Upload): Promise<DeliveryKind> {
    await o.api.editOriginal(w.reply, doneView(w, upload), fileOf(upload), w.signal);
    // Delivered: an abort from here on changes nothing, so the ping is not tied to the signal.
    await o.api.followUp(w.reply, renderReadyPing(w.job)).catch((err: unknown) => {
      o.log.warn({ jobId: w.job.id, err: describeRestError(err) }, 'ready ping failed');
    });
    return upload.kind;
  }

  /**
   * A new message in the channel, mentioning (and pinging) only the requester; a progress message that moved to the
   * channel is then closed, pointing at it.
   */
  async function toChannel(w: Work): Promise<DeliveryKind> {
    w.signal?.throwIfAborted();
    const upload = await prepare(w, o.channelAttachmentLimit);
    const view = { ...doneView(w, upload), allowed_mentions: onlyMentioning(w.job.userId) };
    try {
      await o.api.postChannelMessage(w.reply.channelId, view, fileOf(upload), w.signal);
    } catch (err) {
      w.signal?.throwIfAborted();
      o.log.warn({ jobId: w.job.id, err: describeRestError(err) }, 'delivery to the channel failed');
      throw new JobFailure(postFailedReason, { cause: err });
    }
    const progressId = w.reply.channelMessageId;
    if (progressId) {
      await o.api.editChannelMessage(w.reply.channelId, progressId, renderDeliveredBelow(w.job)).catch((err: unknown) => {
        o.log.warn({ jobId: w.job.id, err: describeRestError(err) }, 'moved progress message not closed');
      });
    }
    return 'channel';
  }

  async function deliver(job: Job, reply: ReplyTarget, url: string, signal?: AbortSignal): Promise<DeliveryKind> {
    const dir = await mkdtemp(join(o.tempDir, 'video-'));
    try {
      const input = join(dir, 'input.mp4');
      const bytes = await downloadToFile(url, input, {
        clock: o.clock,
        fetch: o.fetch,
        signal,
        attempts: o.downloadAttempts,
        backoffMs: o.downloadBackoffMs,
        maxBytes: o.maxDownloadBytes,
      });
      const w: Work = { job, reply, url, dir, input, bytes, signal };
      const tokenAlive = o.clock.now() - reply.interactionAt < o.tokenLifetimeMs;
      if (reply.channelMessageId || !tokenAlive) return await toChannel(w);
      try {
        return await toOriginal(w, await prepare(w, reply.attachmentSizeLimit || defaultAttachmentLimit));
      } catch (err) {
        signal?.throwIfAborted();
        if (isTooLargeError(err)) {
          return await toOriginal(w, { kind: 'link', details: { linkUrl: url } }).catch(() => toChannel(w));
        }
        if (!isDeadReplyError(err)) o.log.warn({ jobId: job.id, err: describeRestError(err) }, 'delivery edit failed');
        return await toChannel(w);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  return { deliver };
}
