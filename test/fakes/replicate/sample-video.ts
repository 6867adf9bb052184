import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
let cached: Promise<Buffer> | undefined;

/**
 * A real, tiny mp4 (1 s, 320x240, H.264) made once per process with the bundled ffmpeg, so that whatever downloads
 * the fake's output (re-encoders, probes) gets a genuine video. Falls back to an `ftyp` stub if ffmpeg fails.
 */
export function sampleVideo(): Promise<Buffer> {
  cached ??= generate().catch(() => stubMp4());
  return cached;
}

async function generate(): Promise<Buffer> {
  const ffmpeg = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  const dir = await mkdtemp(join(tmpdir(), 'fake-replicate-'));
  try {
    const out = join(dir, 'out.mp4');
    await run(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=24', '-t', '1',
      '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', out]);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function stubMp4(): Buffer {
  const box = Buffer.alloc(24);
  box.writeUInt32BE(24, 0);
  box.write('ftypisom', 4, 'latin1');
  box.write('isomiso2', 16, 'latin1');
  return box;
}
