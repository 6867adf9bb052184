import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionRecord } from '../fakes/discord/fake-discord.js';
import { useWorld } from '../harness/use-world.js';
import { requestVideo } from '../harness/video-steps.js';

const run = promisify(execFile);
const ffmpeg = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const amy = { id: '280000000000000001', username: 'amy' };
const MiB = 1024 * 1024;

let dir: string;
/** A real 2 s 720p H.264 mp4 (about 3 MB), made large on purpose (near-lossless). */
let bigVideo: Buffer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'e2e-reencode-'));
  const out = join(dir, 'big.mp4');
  await run(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=24', '-t', '2',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '8', '-pix_fmt', 'yuv420p', out]);
  bigVideo = await readFile(out);
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const world = useWorld();

function delivered(handle: { id: string }): Promise<InteractionRecord> {
  return world().discord.waitFor((d) => d.interaction(handle.id).followUps.length > 0 && d.interaction(handle.id), {
    timeoutMs: 25_000,
    description: 'the delivery and its ping',
  });
}

/** What `ffmpeg -i` reads from the bytes: a playable video's duration and frame size. */
async function probe(bytes: Buffer): Promise<{ seconds: number; size: string }> {
  const file = join(dir, `probe-${Date.now()}.mp4`);
  await writeFile(file, bytes);
  const { stderr } = await run(ffmpeg, ['-hide_banner', '-i', file]).catch((err: { stderr: string }) => err);
  const duration = /Duration: (\d+):(\d+):(\d+\.\d+)/.exec(stderr);
  const size = /Video: .*?\b(\d{2,5}x\d{2,5})\b/.exec(stderr);
  return {
    seconds: duration ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : NaN,
    size: size?.[1] ?? '',
  };
}

describe('a video larger than the upload limit', () => {
  it('is re-encoded under the limit and posted as an mp4, saying so', async () => {
    expect(bigVideo.length).toBeGreaterThan(MiB);
    world().replicate.script({ durationMs: 300, output: bigVideo });
    const request = requestVideo(world(), amy, 'a test card, very sharp', { attachmentSizeLimit: MiB });

    const record = await delivered(request);

    const final = record.original!;
    expect(final.attachments).toHaveLength(1);
    const file = final.attachments[0]!;
    expect(file.filename).toBe('video.mp4');
    expect(file.bytes.length).toBeLessThanOrEqual(MiB);
    expect(file.bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const seen = await probe(file.bytes);
    expect(seen.seconds).toBeCloseTo(2, 0);
    expect(seen.size).toMatch(/^\d+x\d+$/);
    expect(final.content).toContain("Re-encoded to fit Discord's 1 MB upload limit");
    expect(final.content).not.toMatch(/https?:\/\//);
    expect(record.followUps[0]!.content).toContain(`<@${amy.id}>`);
  });

  it('that cannot fit even re-encoded is delivered as a link, with the note that it expires', async () => {
    world().replicate.script({ durationMs: 300, output: bigVideo });
    const request = requestVideo(world(), amy, 'a test card, far too big', { attachmentSizeLimit: 20 * 1024 });

    const record = await delivered(request);

    const final = record.original!;
    const prediction = world().replicate.predictions[0]!;
    expect(final.attachments).toEqual([]);
    // Said plainly, with the moment: an hour after the prediction ended (Discord shows it in the member's time).
    const expiry = /the link expires <t:(\d+):R>/.exec(final.content)?.[1];
    const hour = 60 * 60_000;
    expect(Number(expiry) * 1000).toBeGreaterThanOrEqual(world().replicate.predictions[0]!.createdAt + hour - 1000);
    expect(Number(expiry) * 1000).toBeLessThanOrEqual(world().clock.now() + hour);
    const link = /https?:\/\/\S+/.exec(final.content)?.[0];
    expect(link).toBe(`${new URL(world().replicate.baseUrl).origin}/files-out/${prediction.id}.mp4`);
    const download = await fetch(link!);
    expect(Buffer.from(await download.arrayBuffer()).equals(bigVideo)).toBe(true);
    expect(record.followUps[0]!.content).toContain(`<@${amy.id}>`);
  });
});
