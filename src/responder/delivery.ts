import { mkdtemp, rm } from 'node:fs/promises';
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
  nonceFor,
  type DiscordApi,
} from './discord-api.js';
import { downloadToFile } from './download.js';
import { createLadder, type Rung, type Work } from './ladder.js';
import { onlyMentioning, renderChannelReadyPing, renderDeliveredBelow, renderDone, renderReadyPing } from './progress-view.js';

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
  downloadAttempts?: number;
  downloadBackoffMs?: number;
  maxDownloadBytes?: number;
  ffmpegPath?: string;
  reencodeTimeoutMs?: number;
  /** An upload may take this long plus its size at the minimum rate (defaults 30 000 ms, 64 KiB/s). */
  uploadTimeoutBaseMs?: number;
  uploadMinBytesPerSecond?: number;
  /** Wait before sending a step again after a 5xx or a dropped connection (default 2000 ms, doubled). */
  retryBackoffMs?: number;
  /** A delivery that fails everywhere (Discord down) is tried again, with backoff, this long (default 30 min). */
  giveUpAfterMs?: number;
}

/** What the queue records as the delivery goes: the video up, then the member pinged. */
export interface DeliveryHooks {
  markPosted(kind: DeliveryKind, message?: PostedMessage): Promise<void>;
  markPinged(): Promise<void>;
}

const maxUploadTimeoutMs = 20 * 60_000;
const pingTimeoutMs = 30_000;
/** How long a ping is retried through a Discord outage (as long as a delivery is). */
const pingPatienceMs = 30 * 60_000;
/** Sends of one step after a 5xx or a dropped connection (a timeout goes down the ladder at once). */
const sendsPerStep = 2;

/**
 * Puts the finished video in front of the member, falling down a ladder on any failure to upload: the file (as is
 * or re-encoded to fit), a smaller re-encode, the expiring link; on the member's reply while its token lives, else
 * (or when the reply cannot take it) in the channel. Nothing is posted twice: edits of the reply replace what they
 * carry, a channel post reuses one nonce per job, and before leaving the reply for the channel after an unanswered
 * upload the reply is read back. Then the member is pinged exactly once.
 */
export function createDelivery(o: DeliveryOptions) {
  const baseMs = o.uploadTimeoutBaseMs ?? 30_000;
  const minRate = o.uploadMinBytesPerSecond ?? 64 * 1024;
  const uploadTimeoutMs = (bytes: number) => Math.min(maxUploadTimeoutMs, baseMs + Math.ceil((bytes * 1000) / minRate));

  const { firstRung, nextRung, link, fileOf } = createLadder(o);

  const doneView = (w: Work, rung: Rung) =>
    renderDone(w.job, { durationMs: o.clock.now() - w.job.createdAt, ...rung.details });

  /**
   * Runs one send under a timeout that scales with the upload's size, aborted with the delivery. Sent again after a
   * backoff on a 5xx or a dropped connection (never after a timeout: the ladder takes over).
   */
  async function send<T>(w: Work, bytes: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const timeoutMs = uploadTimeoutMs(bytes);
      const controller = new AbortController();
      const timer = o.clock.setTimer(timeoutMs, () => controller.abort(new UploadTimeoutError(timeoutMs)));
      const onAbort = () => controller.abort(w.signal?.reason);
      w.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await run(controller.signal);
      } catch (err) {
        w.signal?.throwIfAborted();
        const failure: unknown = controller.signal.aborted ? controller.signal.reason : err;
        if (failure instanceof UploadTimeoutError || !isAmbiguousError(failure) || attempt >= sendsPerStep) {
          throw failure;
        }
        o.log.warn({ jobId: w.job.id, err: describeRestError(failure), attempt }, 'delivery step failed, sending again');
        await o.clock.sleep((o.retryBackoffMs ?? 2000) * 2 ** (attempt - 1), w.signal);
      } finally {
        timer.cancel();
        w.signal?.removeEventListener('abort', onAbort);
      }
    }
  }

  /** The ladder on the member's reply. Undefined when the reply cannot carry the video (the channel is next). */
  async function toOriginal(w: Work, from?: Rung): Promise<Posted | undefined> {
    let rung: Rung | undefined = from ?? (await firstRung(w, w.reply.attachmentSizeLimit || defaultAttachmentLimit));
    while (rung) {
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
    while (rung) {
      const current: Rung = rung;
      try {
        const view = { ...doneView(w, current), allowed_mentions: onlyMentioning(w.job.userId) };
        const posted = await send(w, current.bytes ?? 0, (signal) =>
          o.api.postChannelMessage(channelId, view, { file: fileOf(current), signal, nonce }),
        );
        return { kind: 'channel', ...messageOf(w, posted) };
      } catch (err) {
        w.signal?.throwIfAborted();
        o.log.warn({ jobId: w.job.id, rung: current.kind, err: describeRestError(err) }, 'delivery to the channel failed');
        // Past Discord's nonce memory (a few minutes) only the channel's history can tell whether it landed.
        const landed = isAmbiguousError(err) ? await o.check.inChannel(w.job, w.reply, w.startedAt, o.clock.now()) : undefined;
        if (landed) return { kind: 'channel', ...messageOf(w, landed) };
        const fileRefused = isMissingPermissionError(err) && current.path !== undefined;
        if (isChannelUnusableError(err) && !fileRefused) {
          o.health.markUnusable(channelId, describeRestError(err).code);
          return false;
        }
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
   * Pings the member once: a follow-up while the token lives, else a channel message (nonce'd). An unanswered
   * try is checked against the channel's history before it is sent again. Resolves true once a ping landed.
   * Not tied to the delivery's signal: the video is up, and a ping left half-way would be the worse outcome.
   */
  async function ping(job: Job, reply: ReplyTarget, postedAt: number, stop?: AbortSignal): Promise<boolean> {
    const view = renderReadyPing(job);
    // A Discord outage is waited out as long as a delivery is (the video is up; the member should hear of it).
    const giveUpAt = o.clock.now() + pingPatienceMs;
    for (let attempt = 1; ; attempt++) {
      const controller = new AbortController();
      const { signal } = controller;
      const timer = o.clock.setTimer(pingTimeoutMs, () => controller.abort(new UploadTimeoutError(pingTimeoutMs)));
      try {
        if (tokenAlive(reply)) await o.api.followUp(reply, view, { signal });
        else await o.api.postChannelMessage(reply.channelId, renderChannelReadyPing(job), { signal, nonce: nonceFor(job.id, 'ping') });
        return true;
      } catch (err) {
        if (attempt <= 3 || attempt % 10 === 0) {
          o.log.warn({ jobId: job.id, err: describeRestError(signal.aborted ? signal.reason : err), attempt }, 'ready ping failed');
        }
        if (isDeadReplyError(err) && tokenAlive(reply)) {
          // The token died early (e.g. the app was removed): the channel is what is left.
          reply = { ...reply, interactionAt: -Infinity };
          continue;
        }
        if (!isAmbiguousError(err) && !signal.aborted) return false;
        if ((await o.check.pinged(job, reply, postedAt)) === true) return true;
        if (o.clock.now() >= giveUpAt) {
          o.log.error({ jobId: job.id, attempts: attempt }, 'ready ping given up: Discord kept failing');
          return false;
        }
        // Stopping ends the waiting (not a request in flight): the record says posted, not pinged, so the next
        // start checks the channel and pings then.
        await o.clock.sleep(Math.min(2 * 60_000, (o.retryBackoffMs ?? 2000) * 2 ** (attempt - 1)), stop);
      } finally {
        timer.cancel();
      }
    }
  }

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

  async function deliver(
    job: Job,
    reply: ReplyTarget,
    url: string,
    hooks: DeliveryHooks,
    signal?: AbortSignal,
  ): Promise<DeliveryKind> {
    const startedAt = o.clock.now();
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
      const w: Work = { job, reply, url, dir, input, bytes, signal, startedAt };
      for (let pass = 1; ; pass++) {
        const posted = await onePass(w);
        if (posted) {
          await announce(job, reply, posted, hooks, signal);
          return posted.kind;
        }
        // Nowhere left to try (the channel refuses for good and the token is dead), or tried for long enough.
        const lost = o.health.isUnusable(reply.channelId);
        const replyGone = w.replyDead === true || !tokenAlive(reply);
        if ((lost && replyGone) || o.clock.now() - startedAt >= (o.giveUpAfterMs ?? 30 * 60_000)) {
          throw new JobFailure(lost ? channelLostReason : postFailedReason);
        }
        const waitMs = Math.min(2 * 60_000, (o.retryBackoffMs ?? 2000) * 8 * 2 ** (pass - 1));
        o.log.warn({ jobId: job.id, pass, waitMs }, 'delivery failed everywhere, trying again');
        await o.clock.sleep(waitMs, signal);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  return { deliver, ping, announce, closeMovedProgress };
}

/** Where the video landed, when Discord answered with the message (a link to it needs its id). */
function messageOf(w: Work, message: { id?: string } | undefined): { message?: PostedMessage } {
  return message?.id ? { message: { channelId: w.reply.channelId, messageId: message.id } } : {};
}

export type Delivery = ReturnType<typeof createDelivery>;
