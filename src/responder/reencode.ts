import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

/** ffmpeg to use: `FFMPEG_PATH`, else `ffmpeg` on PATH, else the binary shipped by @ffmpeg-installer/ffmpeg. */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.FFMPEG_PATH) return env.FFMPEG_PATH;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'ffmpeg');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  try {
    return (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined;
  }
}

export interface RunOptions {
  ffmpegPath?: string;
  signal?: AbortSignal;
  /** Kills ffmpeg after this long (default 120 000 ms). */
  timeoutMs?: number;
}

/** Runs ffmpeg; resolves with its exit code and the tail of stderr, rejects with the signal's reason when aborted. */
export function runFfmpeg(args: string[], options: RunOptions = {}): Promise<{ code: number | null; stderr: string }> {
  const path = options.ffmpegPath ?? findFfmpeg();
  if (!path) return Promise.reject(new Error('ffmpeg not found (set FFMPEG_PATH)'));
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      signal: options.signal,
      timeout: options.timeoutMs ?? 120_000,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-64_000);
    });
    child.on('error', (err) => reject(options.signal?.aborted ? options.signal.reason : err));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

export interface MediaInfo {
  durationSeconds?: number;
  width?: number;
  height?: number;
  hasAudio: boolean;
}

/** Reads what `ffmpeg -i` prints (ffprobe is not shipped): duration, first video stream's size, audio presence. */
export function parseMediaInfo(stderr: string): MediaInfo {
  const duration = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stderr);
  const video = /Stream #\S+.*Video: .*?\b(\d{2,5})x(\d{2,5})\b/.exec(stderr);
  return {
    durationSeconds: duration ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : undefined,
    width: video ? Number(video[1]) : undefined,
    height: video ? Number(video[2]) : undefined,
    hasAudio: /Stream #\S+.*Audio:/.test(stderr),
  };
}

export async function probeVideo(input: string, options: RunOptions = {}): Promise<MediaInfo> {
  const { stderr } = await runFfmpeg(['-hide_banner', '-i', input], options);
  return parseMediaInfo(stderr);
}

/** Bits per second that keep 720p watchable; scaled by pixel count for other sizes. */
const keepResolutionBitsPer720p = 1_200_000;
const audioBitrate = 96_000;
/** Share of the limit the streams may use: the rest covers the container and rate-control overshoot. */
const budgetShare = 0.9;

export interface ReencodeResult {
  bytes: number;
  keptResolution: boolean;
  videoBitrate: number;
}

/**
 * Re-encodes `input` into `output` (H.264 mp4, faststart) to stay under `limitBytes`: the video bitrate comes from
 * the limit and the clip's duration; the resolution is kept when that bitrate allows, else the short side drops to
 * 480. One more try at a lower bitrate if the first result is still too large; throws if it cannot fit.
 */
export async function reencodeToFit(
  input: string,
  output: string,
  limitBytes: number,
  options: RunOptions & { durationSeconds?: number } = {},
): Promise<ReencodeResult> {
  const info = await probeVideo(input, options);
  const duration = options.durationSeconds ?? info.durationSeconds;
  if (!duration || !info.width || !info.height) throw new Error('cannot read the video\'s duration or size');
  const audio = info.hasAudio ? audioBitrate : 0;
  const first = Math.floor((limitBytes * 8 * budgetShare) / duration - audio);
  const keepMinimum = (keepResolutionBitsPer720p * info.width * info.height) / (1280 * 720);
  const keptResolution = first >= keepMinimum || Math.min(info.width, info.height) <= 480;
  const scale = keptResolution ? [] : ['-vf', info.width >= info.height ? 'scale=-2:480' : 'scale=480:-2'];
  for (const videoBitrate of [first, Math.floor(first * 0.75)]) {
    if (videoBitrate < 100_000) break;
    const args = [
      '-y', '-hide_banner', '-nostats', '-loglevel', 'error', '-i', input,
      '-map', '0:v:0', ...(info.hasAudio ? ['-map', '0:a:0', '-c:a', 'aac', '-b:a', String(audio)] : ['-an']),
      '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', ...scale,
      '-b:v', String(videoBitrate), '-maxrate', String(videoBitrate), '-bufsize', String(videoBitrate * 2),
      '-movflags', '+faststart', output,
    ];
    const { code, stderr } = await runFfmpeg(args, options);
    if (code !== 0) throw new Error(`ffmpeg exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`);
    const bytes = (await stat(output)).size;
    if (bytes <= limitBytes) return { bytes, keptResolution, videoBitrate };
  }
  throw new Error('the video does not fit the limit even re-encoded');
}
