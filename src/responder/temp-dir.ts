import { createHash } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
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

/**
 * Creates the folder and removes what a killed process left in it (downloads, re-encodes). Only called at start,
 * before any delivery of this process uses it.
 */
export async function emptyTempRoot(root: string): Promise<number> {
  await mkdir(root, { recursive: true });
  const left = await readdir(root);
  await Promise.all(left.map((name) => rm(join(root, name), { recursive: true, force: true })));
  return left.length;
}
