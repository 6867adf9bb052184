import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Clock } from '../clock.js';
import { videoGoneReason } from '../queue/describe.js';
import { JobFailure } from '../queue/ports.js';

/** Kept for the failure kinds of jobs recorded before downloads were retried until the output's hour ran out. */
export const downloadFailedReason =
  'The video was ready but could not be downloaded from Replicate. Please run /video again.';

/** Default cap on the output download: a 10 s 1080p clip is tens of MB; more is not a video we should hold. */
export const defaultMaxDownloadBytes = 200 * 1024 * 1024;

/** How long Replicate keeps a prediction's output after it ends (then its URL answers 404). */
export const outputLifetimeMs = 60 * 60_000;

export function outputTooLargeReason(maxBytes: number): string {
  const mb = Math.round(maxBytes / 1024 / 1024);
  return `The video Replicate made is larger than this bot accepts (${mb} MB), so it was not downloaded. Please run /video again.`;
}

export interface DownloadOptions {
  clock: Clock;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /**
   * When the output can no longer exist (epoch ms): any fault but 404/410 is retried until then, and past it the
   * output is taken as gone.
   */
  until: number;
  /** First wait between tries, doubled each time up to `maxBackoffMs` (defaults 1000 ms and 60 000 ms). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Largest output accepted, in bytes (default 200 MiB): a bigger one ends the job instead of filling the disk. */
  maxBytes?: number;
  /** Told of each failed try before the wait (for the log). */
  onFault?: (err: unknown, attempt: number) => void;
}

/** Passes bytes through until `maxBytes`, then fails the stream with the member-facing JobFailure. */
function capped(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new JobFailure(outputTooLargeReason(maxBytes)));
      else done(null, chunk);
    },
  });
}

async function downloadOnce(url: string, path: string, o: DownloadOptions, maxBytes: number): Promise<void> {
  const res = await (o.fetch ?? fetch)(url, { signal: o.signal });
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel();
    throw new JobFailure(videoGoneReason);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Error(`download answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body.cancel();
    throw new JobFailure(outputTooLargeReason(maxBytes));
  }
  const body = Readable.fromWeb(res.body as NodeReadableStream);
  await pipeline(body, capped(maxBytes), createWriteStream(path), { signal: o.signal });
}

/**
 * Streams `url` into the file at `path` (the video is never held in memory) and returns its size in bytes. The bytes
 * go to `path.part` first and are renamed when complete, so a file at `path` is always a whole download.
 * Every fault of ours or Replicate's is retried with capped backoff for as long as the output can exist; only a
 * 404/410 (gone), an output over the cap, or the output's hour running out end it with a JobFailure. Rethrows the
 * signal's reason when aborted.
 */
export async function downloadToFile(url: string, path: string, o: DownloadOptions): Promise<number> {
  const { clock, signal, backoffMs = 1000, maxBackoffMs = 60_000, maxBytes = defaultMaxDownloadBytes } = o;
  const partial = `${path}.part`;
  for (let attempt = 1; ; attempt++) {
    try {
      await downloadOnce(url, partial, o, maxBytes);
      await rename(partial, path);
      return (await stat(path)).size;
    } catch (err) {
      if (signal?.aborted || err instanceof JobFailure) await rm(partial, { force: true });
      if (signal?.aborted) throw signal.reason;
      if (err instanceof JobFailure) throw err;
      o.onFault?.(err, attempt);
      const left = o.until - clock.now();
      if (left <= 0) {
        await rm(partial, { force: true });
        throw new JobFailure(videoGoneReason, { cause: err });
      }
      await clock.sleep(Math.min(left, maxBackoffMs, backoffMs * 2 ** Math.min(attempt - 1, 30)), signal);
    }
  }
}
