import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Clock } from '../clock.js';
import { JobFailure } from '../queue/ports.js';

/** Replicate keeps outputs about an hour; after that the URL answers 404/410 (or the prediction says dataRemoved). */
export const videoGoneReason =
  'The video was ready but Replicate no longer has it (outputs are kept about an hour). Please run /video again.';
export const downloadFailedReason =
  'The video was ready but could not be downloaded from Replicate. Please run /video again.';

/** Default cap on the output download: a 10 s 1080p clip is tens of MB; more is not a video we should hold. */
export const defaultMaxDownloadBytes = 200 * 1024 * 1024;

export function outputTooLargeReason(maxBytes: number): string {
  const mb = Math.round(maxBytes / 1024 / 1024);
  return `The video Replicate made is larger than this bot accepts (${mb} MB), so it was not downloaded. Please run /video again.`;
}

export interface DownloadOptions {
  clock: Clock;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Tries in all for errors other than 404/410 (default 4). */
  attempts?: number;
  /** First wait between tries, doubled each time (default 1000 ms). */
  backoffMs?: number;
  /** Largest output accepted, in bytes (default 200 MiB): a bigger one ends the job instead of filling the disk. */
  maxBytes?: number;
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

/**
 * Streams `url` into the file at `path` (the video is never held in memory) and returns its size in bytes.
 * Throws JobFailure when the output is gone or every try failed; rethrows the signal's reason when aborted.
 */
export async function downloadToFile(url: string, path: string, options: DownloadOptions): Promise<number> {
  const { clock, signal, attempts = 4, backoffMs = 1000, maxBytes = defaultMaxDownloadBytes } = options;
  const fetchImpl = options.fetch ?? fetch;
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetchImpl(url, { signal });
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
      await pipeline(body, capped(maxBytes), createWriteStream(path), { signal });
      return (await stat(path)).size;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (err instanceof JobFailure) throw err;
      if (attempt >= attempts) throw new JobFailure(downloadFailedReason, { cause: err });
      await clock.sleep(backoffMs * 2 ** (attempt - 1), signal);
    }
  }
}
