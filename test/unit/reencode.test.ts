import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg, parseMediaInfo, probeVideo, reencodeToFit, runFfmpeg } from '../../src/responder/reencode.js';

const MiB = 1024 * 1024;
let dir: string;
let clip: string;
let clipBytes: number;

async function isMp4(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    await file.read(head, 0, 8, 0);
    return head.toString('latin1', 4, 8) === 'ftyp';
  } finally {
    await file.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reencode-test-'));
  clip = join(dir, 'clip.mp4');
  const source = ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=24', '-t', '5'];
  const args = ['-y', '-hide_banner', '-loglevel', 'error', ...source];
  const { code } = await runFfmpeg([...args, '-c:v', 'libx264', '-crf', '8', '-pix_fmt', 'yuv420p', clip]);
  expect(code).toBe(0);
  clipBytes = (await stat(clip)).size;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reencodeToFit with the shipped ffmpeg', () => {
  it('finds an ffmpeg binary', () => {
    expect(findFfmpeg()).toBeTruthy();
    expect(findFfmpeg({ FFMPEG_PATH: '/opt/ffmpeg', PATH: '' })).toBe('/opt/ffmpeg');
  });

  it('reads duration and size from ffmpeg -i', async () => {
    expect(await probeVideo(clip)).toEqual({ durationSeconds: 5, width: 1280, height: 720, hasAudio: false });
  });

  it('brings a clip over the limit under it and keeps 1280x720', async () => {
    const limit = 3 * MiB;
    expect(clipBytes).toBeGreaterThan(limit);
    const output = join(dir, 'fit.mp4');
    const result = await reencodeToFit(clip, output, limit);
    const bytes = (await stat(output)).size;
    expect(result).toMatchObject({ bytes, keptResolution: true });
    expect(bytes).toBeLessThan(limit);
    expect(await isMp4(output)).toBe(true);
    expect(await probeVideo(output)).toMatchObject({ width: 1280, height: 720 });
  });

  it('scales down to 480p when the limit leaves too few bits for 720p', async () => {
    const limit = 400 * 1024;
    const output = join(dir, 'small.mp4');
    const result = await reencodeToFit(clip, output, limit);
    expect(result.keptResolution).toBe(false);
    expect((await stat(output)).size).toBeLessThan(limit);
    expect(await probeVideo(output)).toMatchObject({ width: 854, height: 480 });
  });

  it('refuses when even a low bitrate cannot fit', async () => {
    await expect(reencodeToFit(clip, join(dir, 'tiny.mp4'), 20 * 1024)).rejects.toThrow(/does not fit/);
  });

  it('stops ffmpeg when aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const run = reencodeToFit(clip, join(dir, 'aborted.mp4'), 3 * MiB, { signal: controller.signal });
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
  });
});

describe('parseMediaInfo', () => {
  it('notices audio and a portrait video stream', () => {
    const stderr = [
      '  Duration: 00:00:10.04, start: 0.000000, bitrate: 2000 kb/s',
      '    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 720x1280, 1900 kb/s, 24 fps',
      '    Stream #0:1(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 96 kb/s',
    ].join('\n');
    expect(parseMediaInfo(stderr)).toEqual({ durationSeconds: 10.04, width: 720, height: 1280, hasAudio: true });
  });
});
