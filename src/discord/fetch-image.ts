import { JobFailure, type StartImage } from '../queue/ports.js';
import type { ImageRef } from '../queue/job.js';
import { maxImageBytes } from '../refusals.js';

/** The image formats the model takes, told apart by their first bytes, never by name or declared type alone. */
export function sniffImageType(bytes: Uint8Array): 'image/png' | 'image/jpeg' | 'image/webp' | undefined {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return undefined;
}

/**
 * Downloads a member's attachment from Discord's CDN (right after the acknowledgement: its signed URL expires),
 * stopping at the size limit, and checks that the bytes are an image the model takes.
 */
export async function fetchImage(image: ImageRef, options: { timeoutMs?: number } = {}): Promise<StartImage> {
  let response: Response;
  try {
    response = await fetch(image.url, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  } catch (err) {
    throw new JobFailure("Your image couldn't be downloaded from Discord. Please attach it again.", { cause: err });
  }
  if (!response.ok || !response.body) {
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
