import { JobFailure, type StartImage } from '../queue/ports.js';
import type { ImageRef } from '../queue/job.js';
import { maxImageBytes } from '../refusals.js';
import { createLimiter } from '../limiter.js';

/** The image formats the model takes, told apart by their first bytes, never by name or declared type alone. */
export function sniffImageType(bytes: Uint8Array): 'image/png' | 'image/jpeg' | 'image/webp' | undefined {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return undefined;
}

/** Where Discord serves attachments from, and its media proxy for embed pictures (Animate image). */
const discordCdnHosts: ReadonlySet<string> = new Set([
  'cdn.discordapp.com',
  'media.discordapp.net',
  'images-ext-1.discordapp.net',
  'images-ext-2.discordapp.net',
]);
const maxRedirects = 3;

/**
 * An attachment URL the bot may fetch: https on Discord's CDN hosts, or the exact origin of one of `extraOrigins`
 * (the configured stand-in for Discord in tests, e.g. DISCORD_API_URL). Anything else could point the bot at a
 * private address of the host it runs on.
 */
export function isAllowedImageUrl(url: URL, extraOrigins: readonly string[]): boolean {
  if (url.protocol === 'https:' && discordCdnHosts.has(url.hostname) && url.port === '') return true;
  return extraOrigins.some((origin) => new URL(origin).origin === url.origin);
}

export interface ImageFetcherOptions {
  /** Origins allowed besides Discord's CDN (URLs; only their origin counts). */
  extraHosts?: readonly string[];
  /** Images downloaded at once (default 4): each may hold 10 MB in memory. */
  maxConcurrent?: number;
  /** Whole download, redirects included (default 30 000 ms). */
  timeoutMs?: number;
}

const unreachable = "Your image couldn't be downloaded from Discord. Please attach it again.";


/**
 * Downloads a member's attachment from Discord's CDN (right after the acknowledgement: its signed URL expires),
 * checking every redirect hop's host, stopping at the size limit, and checks that the bytes are an image the model
 * takes. At most `maxConcurrent` downloads run at once.
 */
export function createImageFetcher(options: ImageFetcherOptions = {}) {
  const extra = options.extraHosts ?? [];
  const limit = createLimiter(options.maxConcurrent ?? 4);
  return (image: ImageRef, signal?: AbortSignal): Promise<StartImage> =>
    limit(() => {
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
      return download(image, extra, signal ? AbortSignal.any([signal, timeout]) : timeout);
    });
}

async function open(url: string, extra: readonly string[], signal: AbortSignal): Promise<Response> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    if (!isAllowedImageUrl(current, extra)) throw new Error('image URL outside the allowed hosts');
    const response = await fetch(current, { signal, redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return response;
    await response.body?.cancel();
    if (hop >= maxRedirects) throw new Error('too many redirects');
    current = new URL(location, current);
  }
}

async function download(image: ImageRef, extra: readonly string[], signal: AbortSignal): Promise<StartImage> {
  let response: Response;
  try {
    response = await open(image.url, extra, signal);
  } catch (err) {
    throw new JobFailure(unreachable, { cause: err });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new JobFailure(
      `Your image couldn't be downloaded from Discord (HTTP ${response.status}). Please attach it again.`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxImageBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new JobFailure('The image is larger than 10 MB. Please attach a smaller one.');
    }
    chunks.push(Buffer.from(chunk));
  }
  const bytes = Buffer.concat(chunks);
  const mimeType = sniffImageType(bytes);
  if (!mimeType) throw new JobFailure('The attachment is not a PNG, JPEG or WebP image.');
  return { bytes, mimeType, filename: image.filename };
}
