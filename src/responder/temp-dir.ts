import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The responder's own temporary folder: `<tmpdir>/kling-video-bot/<owner>`, where `owner` names what one bot process
 * owns (its store): two bots on different stores never share it, a restart on the same store finds its own.
 * The key is hashed, so a store URL's password never becomes a path.
 */
export function responderTempRoot(owner: string, base: string = tmpdir()): string {
  return join(base, 'kling-video-bot', createHash('sha256').update(owner).digest('hex').slice(0, 16));
}

const keptPrefix = 'kept-';
const keptSuffix = '.mp4';

/**
 * Where a job's downloaded output stays until it is posted (or the job ends): in the root, so a restart finds it and
 * posts it without downloading again (Replicate deletes it an hour after the prediction). Job ids are UUIDs.
 */
export function keptOutputPath(root: string, jobId: string): string {
  return join(root, `${keptPrefix}${jobId}${keptSuffix}`);
}

/** A kept output older than this at start belongs to no job that can still be delivered. */
export const keptOutputMaxAgeMs = 7 * 24 * 60 * 60_000;

/**
 * Creates the folder and removes what a killed process left in it (half downloads, re-encodes), keeping whole
 * downloads of jobs still to post (younger than `keptOutputMaxAgeMs`). Only called at start, before any delivery of
 * this process uses it. Resolves with how many entries were removed.
 */
export async function emptyTempRoot(root: string, now: number = Date.now()): Promise<number> {
  await mkdir(root, { recursive: true });
  const left = await readdir(root);
  const removed = await Promise.all(
    left.map(async (name) => {
      const path = join(root, name);
      if (name.startsWith(keptPrefix) && name.endsWith(keptSuffix)) {
        const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: -Infinity }));
        if (now - mtimeMs < keptOutputMaxAgeMs) return false;
      }
      await rm(path, { recursive: true, force: true });
      return true;
    }),
  );
  return removed.filter(Boolean).length;
}
