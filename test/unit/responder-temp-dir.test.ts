import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyTempRoot, keptOutputMaxAgeMs, keptOutputPath } from '../../src/responder/temp-dir.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'responder-root-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the responder folder at start', () => {
  it('keeps whole downloads of jobs still to post and removes the rest a killed process left', async () => {
    const now = Date.now();
    await mkdir(join(root, 'video-abc'));
    await writeFile(join(root, 'video-abc', 'fit-1000.mp4'), 'x');
    await writeFile(keptOutputPath(root, 'job-fresh'), 'whole');
    await writeFile(`${keptOutputPath(root, 'job-half')}.part`, 'half');
    const old = keptOutputPath(root, 'job-old');
    await writeFile(old, 'old');
    const longAgo = (now - keptOutputMaxAgeMs - 60_000) / 1000;
    await utimes(old, longAgo, longAgo);

    expect(await emptyTempRoot(root, now)).toBe(3);
    expect(await readdir(root)).toEqual(['kept-job-fresh.mp4']);
  });
});
