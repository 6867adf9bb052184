import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Job, ReplyTarget } from '../queue/job.js';
import { videoFilename } from './delivery-check.js';
import { isMissingPermissionError, type UploadFile } from './discord-api.js';
import { outputLifetimeMs } from './download.js';
import type { DoneDetails } from './progress-view.js';
import { reencodeToFit } from './reencode.js';

/** One rung of the ladder: the file as downloaded, re-encoded (to fit, then smaller), or the link with its expiry. */
export interface Rung {
  kind: 'attachment' | 'reencoded' | 'link';
  path?: string;
  bytes?: number;
  details: Omit<DoneDetails, 'durationMs'>;
}

/** One delivery's working set: the downloaded file is `input` (kept until the delivery ends), re-encodes go in `dir`. */
export interface Work {
  job: Job;
  reply: ReplyTarget;
  url: string;
  dir: string;
  input: string;
  bytes: number;
  /** When this delivery began (a post of it cannot be older). */
  startedAt: number;
  /** When the first channel post of this delivery was sent (its nonce is remembered from then on). */
  channelSentAt?: number;
  /** Discord said the reply is gone (token dead, message or channel deleted): not tried again. */
  replyDead?: boolean;
  signal?: AbortSignal;
}

/**
 * The rungs a delivery falls down after a refusal or a timed-out upload (never after a Discord fault: that rung is
 * sent again): the file as downloaded (or re-encoded to fit the limit), a smaller re-encode (half the last file: what
 * a slow link or a size refusal asks for), then Replicate's link, saying when it expires.
 */
export function createLadder(o: { log: Logger; ffmpegPath?: string; reencodeTimeoutMs?: number }) {
  /** `fitsLimit`: the target is Discord's limit (said in the message), not just a smaller file. */
  async function reencode(w: Work, limit: number, fitsLimit: boolean): Promise<Rung | undefined> {
    const output = join(w.dir, `fit-${limit}.mp4`);
    try {
      const fit = await reencodeToFit(w.input, output, limit, {
        ffmpegPath: o.ffmpegPath,
        signal: w.signal,
        timeoutMs: o.reencodeTimeoutMs,
      });
      const { keptResolution } = fit;
      const reencoded = { fromBytes: w.bytes, toBytes: fit.bytes, keptResolution, ...(fitsLimit ? { limitBytes: limit } : {}) };
      o.log.info({ jobId: w.job.id, ...reencoded }, 'video re-encoded to fit');
      return { kind: 'reencoded', path: output, bytes: fit.bytes, details: { reencoded } };
    } catch (err) {
      w.signal?.throwIfAborted();
      const reason = { type: 'ReencodeError', message: String((err as Error).message) };
      o.log.warn({ jobId: w.job.id, err: reason, bytes: w.bytes, limit }, 're-encode failed');
      return undefined;
    }
  }

  /** Replicate deletes the output an hour after the prediction ended: the message says when, in the reader's time. */
  const link = (w: Work): Rung => ({
    kind: 'link',
    details: { linkUrl: w.url, linkExpiresAt: (w.job.predictionDoneAt ?? w.startedAt) + outputLifetimeMs },
  });

  async function firstRung(w: Work, limit: number): Promise<Rung> {
    if (w.bytes <= limit) return { kind: 'attachment', path: w.input, bytes: w.bytes, details: {} };
    return (await reencode(w, limit, true)) ?? link(w);
  }

  /** After a failed upload: a smaller file (half the last one) when size may be the cause, else the link. */
  async function nextRung(w: Work, rung: Rung, err: unknown): Promise<Rung | undefined> {
    if (rung.kind === 'link') return undefined;
    if (isMissingPermissionError(err) || rung.bytes === undefined) return link(w);
    return (await reencode(w, Math.floor(rung.bytes / 2), false)) ?? link(w);
  }

  const fileOf = (rung: Rung): UploadFile | undefined =>
    rung.path ? { path: rung.path, name: videoFilename, contentType: 'video/mp4' } : undefined;

  return { firstRung, nextRung, link, fileOf };
}
