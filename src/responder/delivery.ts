import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Job, ReplyTarget } from '../queue/job.js';
import { JobFailure, type DeliveryKind, type PostedMessage } from '../queue/ports.js';
import type { ChannelHealth } from './channel-health.js';
import type { DeliveryCheck, Posted } from './delivery-check.js';
import {
  UploadTimeoutError,
  describeRestError,
  isAmbiguousError,
  isChannelUnusableError,
  isDeadReplyError,
  isMissingPermissionError,
  isTransientError,
  nonceFor,
  type DiscordApi,
} from './discord-api.js';
import { downloadToFile, outputLifetimeMs } from './download.js';
import { createLadder, type Rung, type Work } from './ladder.js';
import { onlyMentioning, renderDeliveredBelow, renderDone } from './progress-view.js';
import { createReadyPing } from './ready-ping.js';
import { keptOutputPath } from './temp-dir.js';

export { videoFilename } from './delivery-check.js';
export const defaultAttachmentLimit = 10 * 1024 * 1024;
export const postFailedReason =
  'The video was made but could not be posted here. Please check the bot can send files in this channel.';
export const channelLostReason =
  'The video was made but the bot can no longer post in this channel (it was removed, or the bot lost access). ' +
  'Please ask a moderator to check the bot’s permissions, then run /video again.';

export interface DeliveryOptions {
  api: DiscordApi;
  check: DeliveryCheck;
  health: ChannelHealth;
  clock: Clock;
  log: Logger;
  tempDir: string;
  tokenLifetimeMs: number;
  /** Largest file the bot may put in a channel message (Discord's default, 10 MiB). */
  channelAttachmentLimit: number;
  fetch?: typeof fetch;
  /** First wait between download tries (default 1000 ms, doubled up to a minute, for as long as the output exists). */
  downloadBackoffMs?: number;
  maxDownloadBytes?: number;
  ffmpegPath?: string;
  reencodeTimeoutMs?: number;
  /** An upload may take this long plus its size at the minimum rate (defaults 30 000 ms, 64 KiB/s). */
  uploadTimeoutBaseMs?: number;
  uploadMinBytesPerSecond?: number;
  /** Wait before sending a step again after a 5xx, a 429 or a dropped connection (default 2000 ms, doubled, ≤ 2 min). */
  retryBackoffMs?: number;
  /**
   * A delivery Discord keeps refusing (4xx answers that are not about the file's size or the channel's loss) is tried
   * again this long (default 30 min). A Discord outage (5xx, 429, no connection) is waited out without limit.
   */
  giveUpAfterMs?: number;
}

/** What the queue records as the delivery goes: the video up, then the member pinged. */
export interface DeliveryHooks {
  markPosted(kind: DeliveryKind, message?: PostedMessage): Promise<void>;
  markPinged(): Promise<void>;
}

const maxUploadTimeoutMs = 20 * 60_000;
const maxRetryWaitMs = 2 * 60_000;
/** How long Discord surely still knows a channel post's nonce ("the past few minutes"), from its first send. */
const nonceMemoryMs = 2 * 60_000;

/**
 * Puts the finished video in front of the member: on the member's reply while its token lives, else (or when the
 * reply cannot take it) in the channel. A Discord fault (5xx, 429, a dropped connection) sends the same rung again
 * after a backoff, on the reply while the token lives and then in the channel for as long as it takes; a refusal or
 * a timed-out upload falls down the ladder: the file (as is or re-encoded to fit), a smaller re-encode, the link
 * with the time it expires. Nothing is posted twice: edits of the reply replace what they carry, a channel post
 * reuses one nonce per job, and an unanswered send is checked against what Discord shows before it is sent again.
 * Then the member is pinged exactly once.
 */
export function createDelivery(o: DeliveryOptions) {
  const baseMs = o.uploadTimeoutBaseMs ?? 30_000;
  const minRate = o.uploadMinBytesPerSecond ?? 64 * 1024;
  const uploadTimeoutMs = (bytes: number) => Math.min(maxUploadTimeoutMs, baseMs + Math.ceil((bytes * 1000) / minRate));

  const { firstRung, nextRung, link, fileOf } = createLadder(o);
  const ping = createReadyPing(o);

  const doneView = (w: Work, rung: Rung) =>
    renderDone(w.job, { durationMs: o.clock.now() - w.job.createdAt, ...rung.details });

  /** Runs one send under a timeout that scales with the upload's size, aborted with the delivery. */
  async function send<T>(w: Work, bytes: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeoutMs = uploadTimeoutMs(bytes);
    const controller = new AbortController();
    const timer = o.clock.setTimer(timeoutMs, () => controller.abort(new UploadTimeoutError(timeoutMs)));
    const onAbort = () => controller.abort(w.signal?.reason);
    w.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await run(controller.signal);
    } catch (err) {
      w.signal?.throwIfAborted();
      throw controller.signal.aborted ? controller.signal.reason : err;
    } finally {
      timer.cancel();
      w.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The wait before the `faults`-th resend of one rung: doubled from `retryBackoffMs`, at most two minutes. */
  const retryWait = (w: Work, faults: number) =>
    o.clock.sleep(Math.min(maxRetryWaitMs, (o.retryBackoffMs ?? 2000) * 2 ** Math.min(faults - 1, 20)), w.signal);

  /** The ladder on the member's reply. Undefined when the reply cannot carry the video (the channel is next). */
  async function toOriginal(w: Work, from?: Rung): Promise<Posted | undefined> {
    let rung: Rung | undefined = from ?? (await firstRung(w, w.reply.attachmentSizeLimit || defaultAttachmentLimit));
    for (let faults = 0; rung; ) {
      const current: Rung = rung;
      try {
        const edited = await send(w, current.bytes ?? 0, (signal) =>
          o.api.editOriginal(w.reply, doneView(w, current), { file: fileOf(current), signal }),
        );
        return { kind: current.kind, ...messageOf(w, edited) };
      } catch (err) {
        w.signal?.throwIfAborted();
        o.log.warn({ jobId: w.job.id, rung: current.kind, err: describeRestError(err) }, 'delivery to the reply failed');
        if (isDeadReplyError(err)) {
          w.replyDead = true;
          return undefined;
        }
        if (isAmbiguousError(err)) {
          // It may have landed: an edit that carries the video means it did (and another edit would replace it).
          const shown = await o.check.onOriginal(w.job, w.reply);
          if (shown) return shown;
        }
        if (isTransientError(err)) {
          // Discord's fault, not the file's: the same rung again while the token lives, then the channel.
          if (!tokenAlive(w.reply)) return undefined;
          await retryWait(w, ++faults);
          continue;
        }
        faults = 0;
        rung = await nextRung(w, current, err);
      }
    }
    return undefined;
  }

  /**
   * The ladder as a new channel message that mentions (and pings) only the requester; one nonce for every rung, so
   * an upload that landed unseen is returned by Discord instead of doubled. False when the channel cannot take it.
   */
  async function toChannel(w: Work): Promise<Posted | false> {
    const { channelId } = w.reply;
    if (o.health.isUnusable(channelId)) return false;
    const nonce = nonceFor(w.job.id, 'delivery');
    let rung: Rung | undefined = await firstRung(w, o.channelAttachmentLimit);
    for (let faults = 0; rung; ) {
      const current: Rung = rung;
      try {
        const view = { ...doneView(w, current), allowed_mentions: onlyMentioning(w.job.userId) };
        w.channelSentAt ??= o.clock.now();
        const posted = await send(w, current.bytes ?? 0, (signal) =>
          o.api.postChannelMessage(channelId, view, { file: fileOf(current), signal, nonce }),
        );
        return { kind: 'channel', ...messageOf(w, posted) };
      } catch (err) {
        w.signal?.throwIfAborted();
        o.log.warn({ jobId: w.job.id, rung: current.kind, err: describeRestError(err) }, 'delivery to the channel failed');
        // Within Discord's nonce memory a resend returns the message if it landed; past it only the history can tell.
        const nonceHolds = o.clock.now() - (w.channelSentAt ?? 0) < nonceMemoryMs;
        const landed =
          isAmbiguousError(err) && !nonceHolds ? await o.check.inChannel(w.job, w.reply, w.startedAt, o.clock.now()) : undefined;
        if (landed) return { kind: 'channel', ...messageOf(w, landed) };
        const fileRefused = isMissingPermissionError(err) && current.path !== undefined;
        if (isChannelUnusableError(err) && !fileRefused) {
          o.health.markUnusable(channelId, describeRestError(err).code);
          return false;
        }
        if (isTransientError(err)) {
          // Discord's fault, not the file's: the same rung again (the same nonce), for as long as it takes.
          await retryWait(w, ++faults);
          continue;
        }
        faults = 0;
        rung = await nextRung(w, current, err);
      }
    }
    return false;
  }

  /** A progress message that moved to the channel, closed once the video is up below it (an edit: safe to repeat). */
  async function closeMovedProgress(job: Job, reply: ReplyTarget): Promise<void> {
    const progressId = reply.channelMessageId;
    if (!progressId) return;
    await o.api.editChannelMessage(reply.channelId, progressId, renderDeliveredBelow(job)).catch((err: unknown) => {
      o.log.warn({ jobId: job.id, err: describeRestError(err) }, 'moved progress message not closed');
    });
  }

  const tokenAlive = (reply: ReplyTarget) => o.clock.now() - reply.interactionAt < o.tokenLifetimeMs;

  /**
   * The video is up: record it (with its message) before anything else is awaited, so a restart knows it from the
   * record, not the channel's history; then ping (a channel post already pinged, and closes its moved progress
   * message), then record that.
   */
  async function announce(job: Job, reply: ReplyTarget, posted: Posted, hooks: DeliveryHooks, stop?: AbortSignal): Promise<void> {
    await hooks.markPosted(posted.kind, posted.message);
    if (posted.kind === 'channel') await closeMovedProgress(job, reply);
    else if (!(await ping(job, reply, o.clock.now(), stop))) return;
    await hooks.markPinged();
  }

  /** One pass down every ladder: the reply, the channel, and the reply's link when the channel refused. */
  async function onePass(w: Work): Promise<Posted | undefined> {
    const replyUsable = () => !w.replyDead && tokenAlive(w.reply);
    const onReply = !w.reply.channelMessageId && replyUsable();
    const posted = (onReply ? await toOriginal(w) : undefined) || (await toChannel(w)) || undefined;
    // The channel refused and the progress had moved there: the reply's webhook needs no channel permission.
    return posted ?? (!onReply && replyUsable() ? await toOriginal(w, link(w)) : undefined);
  }

  /**
   * The output as a whole file on disk: the one a stopped or killed process kept, else downloaded (retried for as
   * long as Replicate keeps it: an hour after the prediction ended).
   */
  async function obtain(job: Job, url: string, path: string, signal?: AbortSignal): Promise<number> {
    const kept = await stat(path).catch(() => undefined);
    if (kept) {
      o.log.info({ jobId: job.id, bytes: kept.size }, 'kept video used, not downloaded again');
      return kept.size;
    }
    return downloadToFile(url, path, {
      clock: o.clock,
      fetch: o.fetch,
      signal,
      until: (job.predictionDoneAt ?? o.clock.now()) + outputLifetimeMs,
      backoffMs: o.downloadBackoffMs,
      maxBytes: o.maxDownloadBytes,
      onFault: (err, attempt) => {
        if (attempt <= 3 || attempt % 10 === 0) o.log.warn({ jobId: job.id, err, attempt }, 'video download failed, trying again');
      },
    });
  }

  /**
   * Downloads (or finds kept) the output, then passes down every ladder until the video is up. The downloaded file
   * is kept (`keptOutputPath`) until the delivery ends, and across a stop or a crash, so Discord may be away for as
   * long as it is: the video is posted when it is back.
   */
  async function deliver(
    job: Job,
    reply: ReplyTarget,
    url: string,
    hooks: DeliveryHooks,
    signal?: AbortSignal,
  ): Promise<DeliveryKind> {
    const startedAt = o.clock.now();
    const input = keptOutputPath(o.tempDir, job.id);
    // The folder is shared with any other process of the same owner (a stale one stopping removes it when empty).
    await mkdir(o.tempDir, { recursive: true });
    const dir = await mkdtemp(join(o.tempDir, 'video-'));
    let keep = false;
    try {
      const bytes = await obtain(job, url, input, signal);
      const w: Work = { job, reply, url, dir, input, bytes, signal, startedAt };
      let refusedSince: number | undefined;
      for (let pass = 1; ; pass++) {
        const posted = await onePass(w);
        if (posted) {
          await announce(job, reply, posted, hooks, signal);
          return posted.kind;
        }
        // Nowhere left to try (the channel refuses for good and the token is dead), or refused for long enough.
        // (A Discord outage never gets here: it is waited out on the rung.)
        const lost = o.health.isUnusable(reply.channelId);
        const replyGone = w.replyDead === true || !tokenAlive(reply);
        refusedSince ??= o.clock.now();
        if ((lost && replyGone) || o.clock.now() - refusedSince >= (o.giveUpAfterMs ?? 30 * 60_000)) {
          throw new JobFailure(lost ? channelLostReason : postFailedReason);
        }
        const waitMs = Math.min(maxRetryWaitMs, (o.retryBackoffMs ?? 2000) * 8 * 2 ** Math.min(pass - 1, 20));
        o.log.warn({ jobId: job.id, pass, waitMs }, 'delivery failed everywhere, trying again');
        await o.clock.sleep(waitMs, signal);
      }
    } catch (err) {
      // A stop leaves the job delivering: the next start posts the file kept here.
      keep = signal?.aborted === true;
      throw err;
    } finally {
      await rm(dir, { recursive: true, force: true });
      if (!keep) await rm(input, { force: true });
    }
  }

  return { deliver, ping, announce, closeMovedProgress };
}

/** Where the video landed, when Discord answered with the message (a link to it needs its id). */
function messageOf(w: Work, message: { id?: string } | undefined): { message?: PostedMessage } {
  return message?.id ? { message: { channelId: w.reply.channelId, messageId: message.id } } : {};
}

export type Delivery = ReturnType<typeof createDelivery>;
