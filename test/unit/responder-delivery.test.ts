import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/queue/job.js';
import { JobFailure } from '../../src/queue/ports.js';
import { createDiscordResponder } from '../../src/responder/discord-responder.js';
import { videoGoneReason } from '../../src/queue/describe.js';
import { outputTooLargeReason } from '../../src/responder/download.js';
import { runFfmpeg } from '../../src/responder/reencode.js';
import { ManualClock } from '../harness/test-clock.js';
import { captureLog, discordError, hang, ids, makeJob, paths, startRecorder, waitFor } from './responder-recorder.js';
import type { Answer, Recorder } from './responder-recorder.js';

const MiB = 1024 * 1024;
const smallVideo = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(4096, 7)]);

let server: Recorder;
let clock: ManualClock;
let logs: ReturnType<typeof captureLog>;
let tempDir: string;
let video: Answer;

beforeEach(async () => {
  server = await startRecorder();
  clock = new ManualClock();
  logs = captureLog();
  tempDir = await mkdtemp(join(tmpdir(), 'responder-test-'));
  video = { status: 200, raw: smallVideo };
  server.on((r) => (r.path === '/files/out.mp4' ? video : undefined));
  server.answer('PATCH', paths.original);
  server.answer('POST', paths.followUp);
  server.answer('POST', paths.channelMessages);
});

afterEach(async () => {
  await server.close();
  expect(server.unexpected).toEqual([]);
  expect(await readdir(tempDir)).toEqual([]);
  expect(logs.lines.join('\n')).not.toContain(ids.token);
  await rm(tempDir, { recursive: true, force: true });
});

function responder(options: { ffmpegPath?: string; maxDownloadBytes?: number; uploadMinBytesPerSecond?: number } = {}) {
  return createDiscordResponder({
    rest: server.rest(),
    clock,
    log: logs.log,
    editIntervalMs: 0,
    saveReply: async () => {},
    tempDir,
    downloadBackoffMs: 1000,
    ...options,
  });
}

const outputUrl = () => `${server.base}/files/out.mp4`;
const deliveringJob = (patch: Partial<Job> = {}): Job => makeJob(clock.now(), { state: 'delivering', ...patch });

describe('deliver', () => {
  it('attaches the video to the original reply, then pings the member in a follow-up', async () => {
    const job = deliveringJob();
    await clock.advance(151_000);
    await expect(responder().deliver(job, outputUrl())).resolves.toBe('attachment');
    const [download, edit, ping] = server.requests;
    expect(download?.path).toBe('/files/out.mp4');
    expect(edit).toMatchObject({ method: 'PATCH', path: paths.original, auth: undefined });
    expect(edit?.files).toEqual([{ key: 'files[0]', name: 'video.mp4', type: 'video/mp4', bytes: smallVideo }]);
    expect(edit?.json).toMatchObject({
      content: `✅ <@${ids.user}>'s video: “a cat surfing @everyone” · 5 s · made in 2m 31s`,
      attachments: [{ id: '0' }],
      components: [{ components: [{ label: 'Regenerate' }, { label: 'Remix' }] }],
      allowed_mentions: { parse: [] },
    });
    expect(ping).toMatchObject({ method: 'POST', path: paths.followUp, auth: undefined });
    expect(ping?.query.get('wait')).toBe('true');
    expect(ping?.json).toMatchObject({
      content: `<@${ids.user}> your video is ready ↑`,
      allowed_mentions: { parse: [], users: [ids.user] },
    });
  });

  it('fails in plain words when Replicate no longer has the output, without touching Discord', async () => {
    video = { status: 404, body: { detail: 'not found' } };
    const failure = await responder().deliver(deliveringJob(), outputUrl()).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(JobFailure);
    expect((failure as JobFailure).reason).toBe(videoGoneReason);
    expect(server.discord()).toEqual([]);
  });

  it('ends the job in plain words when the output is larger than the download cap, declared or streamed', async () => {
    const big = Buffer.concat([smallVideo, Buffer.alloc(64 * 1024, 1)]);
    for (const headers of [{}, { 'transfer-encoding': 'chunked' }] as Record<string, string>[]) {
      video = { status: 200, raw: big, headers };
      const failure = await responder({ maxDownloadBytes: 32 * 1024 }).deliver(deliveringJob(), outputUrl()).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(JobFailure);
      expect((failure as JobFailure).reason).toBe(outputTooLargeReason(32 * 1024));
    }
    expect(server.requests.filter((r) => r.path === '/files/out.mp4')).toHaveLength(2);
    expect(server.discord()).toEqual([]);
  });

  it('removes what a killed process left in its temporary folder before the first delivery', async () => {
    await mkdir(join(tempDir, 'video-left-by-a-crash'));
    await writeFile(join(tempDir, 'video-left-by-a-crash', 'input.mp4'), smallVideo);
    await expect(responder().deliver(deliveringJob(), outputUrl())).resolves.toBe('attachment');
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('delivers when another process on the same store removed the shared temporary folder meanwhile', async () => {
    // A process whose lease was taken over removes the (empty) folder it shares with its successor as it stops.
    const bot = responder();
    await expect(bot.deliver(deliveringJob(), outputUrl())).resolves.toBe('attachment');
    await rm(tempDir, { recursive: true });
    await expect(bot.deliver(deliveringJob(), outputUrl())).resolves.toBe('attachment');
    await mkdir(tempDir, { recursive: true });
  });

  it('gives an upload a timeout that grows with its size, then posts the link on the reply instead', async () => {
    let uploads = 0;
    server.on((r) => (r.method === 'PATCH' && r.files.length > 0 && ++uploads ? hang : undefined));
    server.answer('GET', paths.original, { status: 200, body: { id: '1', content: '📦 Preparing your video…', attachments: [] } });
    // 4 kB at 1 kB/s: the 30 s base plus 4 s.
    const delivery = responder({ ffmpegPath: '/nonexistent/ffmpeg', uploadMinBytesPerSecond: 1000 }).deliver(deliveringJob(), outputUrl());
    await waitFor(() => uploads === 1 && clock.nextDue() !== undefined);
    await clock.advance(30_000 + Math.ceil(smallVideo.length) - 1);
    expect(server.discord().filter((r) => r.method === 'PATCH')).toHaveLength(1);
    await clock.advance(1);
    await expect(delivery).resolves.toBe('link');
    const [upload, readBack, link, ping] = server.discord();
    expect(upload?.files).toHaveLength(1);
    expect(readBack).toMatchObject({ method: 'GET', path: paths.original });
    expect(link?.files).toEqual([]);
    expect(String(link?.json?.content)).toContain('the link expires');
    expect(ping).toMatchObject({ method: 'POST', path: paths.followUp });
  });

  it('sends channel deliveries with a nonce Discord enforces, the same for every try of one job', async () => {
    const job = deliveringJob();
    await clock.advance(15 * 60_000);
    let posts = 0;
    server.on((r) => (r.path === paths.channelMessages && ++posts === 1 ? { status: 502, body: { code: 0, message: '502' } } : undefined));
    const delivery = responder().deliver(job, outputUrl());
    await waitFor(() => posts === 1 && clock.nextDue() !== undefined);
    await clock.advance(2000);
    await expect(delivery).resolves.toBe('channel');
    const sent = server.discord().filter((r) => r.path === paths.channelMessages);
    expect(sent).toHaveLength(2);
    expect(sent[0]?.json).toMatchObject({ enforce_nonce: true });
    expect(sent[0]?.json?.nonce).toEqual(sent[1]?.json?.nonce);
    expect(String(sent[0]?.json?.nonce).length).toBeLessThanOrEqual(25);
  });

  it('retries a failing download after a backoff on the clock', async () => {
    let calls = 0;
    server.on((r) => (r.path === '/files/out.mp4' && ++calls === 1 ? { status: 502, body: {} } : undefined));
    const delivery = responder().deliver(deliveringJob(), outputUrl());
    await waitFor(() => calls === 1 && clock.nextDue() !== undefined);
    expect(server.discord()).toEqual([]);
    await clock.advance(1000);
    await expect(delivery).resolves.toBe('attachment');
    expect(calls).toBe(2);
  });

  it('keeps trying a failing download, waiting at most a minute between tries, until it passes', async () => {
    let calls = 0;
    server.on((r) => (r.path === '/files/out.mp4' && ++calls <= 12 ? { status: 503, body: {} } : undefined));
    const delivery = responder().deliver(deliveringJob({ predictionDoneAt: clock.now() }), outputUrl());
    const waits: number[] = [];
    for (let tries = 1; tries <= 12; tries++) {
      await waitFor(() => calls === tries && clock.nextDue() !== undefined);
      waits.push(clock.nextDue()! - clock.now());
      await clock.advance(waits.at(-1)!);
    }
    await expect(delivery).resolves.toBe('attachment');
    expect(calls).toBe(13);
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60].map((s) => s * 1000));
    expect(server.discord()[0]?.files[0]?.bytes).toEqual(smallVideo);
  });

  it('ends the job saying the video is gone when the download fails until Replicate has deleted the output', async () => {
    video = { status: 502, body: {} };
    const job = deliveringJob({ predictionDoneAt: clock.now() - 50 * 60_000 });
    const delivery = responder().deliver(job, outputUrl()).catch((err: unknown) => err);
    let settled = false;
    void delivery.finally(() => (settled = true));
    while (!settled) {
      await waitFor(() => settled || clock.nextDue() !== undefined);
      if (!settled) await clock.advance(clock.nextDue()! - clock.now());
    }
    const failure = await delivery;
    expect(failure).toBeInstanceOf(JobFailure);
    expect((failure as JobFailure).reason).toBe(videoGoneReason);
    expect(clock.now()).toBe(job.predictionDoneAt! + 60 * 60_000);
    expect(server.discord()).toEqual([]);
  });

  it('posts one channel message that mentions the member once the token has expired', async () => {
    const job = deliveringJob();
    await clock.advance(15 * 60_000);
    await expect(responder().deliver(job, outputUrl())).resolves.toBe('channel');
    const discord = server.discord();
    expect(discord).toHaveLength(1);
    expect(discord[0]).toMatchObject({ method: 'POST', path: paths.channelMessages, auth: 'Bot bot-token' });
    expect(discord[0]?.files[0]?.bytes).toEqual(smallVideo);
    expect(discord[0]?.json).toMatchObject({
      content: expect.stringMatching(new RegExp(`^✅ <@${ids.user}>'s video`)) as unknown,
      allowed_mentions: { parse: [], users: [ids.user] },
    });
  });

  it('falls back to the channel when editing the original says 50027', async () => {
    server.answer('PATCH', paths.original, discordError(401, 50027, 'Invalid Webhook Token'));
    await expect(responder().deliver(deliveringJob(), outputUrl())).resolves.toBe('channel');
    const calls = server.discord().map((r) => `${r.method} ${r.path}`);
    expect(calls).toEqual([`PATCH ${paths.original}`, `POST ${paths.channelMessages}`]);
  });

  it('posts the link, saying when it expires, when the file is too large and cannot be re-encoded', async () => {
    const job = deliveringJob({ predictionDoneAt: clock.now() - 5 * 60_000 });
    job.reply.attachmentSizeLimit = 1024;
    await expect(responder({ ffmpegPath: '/nonexistent/ffmpeg' }).deliver(job, outputUrl())).resolves.toBe('link');
    const edit = server.discord()[0];
    expect(edit?.files).toEqual([]);
    // The output lives an hour after the prediction ended: the member reads when, in their own time.
    const expiresAt = Math.floor((job.predictionDoneAt! + 60 * 60_000) / 1000);
    expect(String(edit?.json?.content)).toContain(`download it from Replicate — the link expires <t:${expiresAt}:R>.`);
    expect(String(edit?.json?.content)).toContain(outputUrl());
  });

  it('stops when aborted and rethrows the reason without posting anything', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    video = { status: 502, body: {} };
    const delivery = responder().deliver(deliveringJob(), outputUrl(), controller.signal);
    await waitFor(() => clock.nextDue() !== undefined);
    controller.abort(reason);
    await expect(delivery).rejects.toBe(reason);
    expect(server.discord()).toEqual([]);
  });

  it('after an upload timed out, sends a smaller re-encode of a real clip instead', async () => {
    const clip = join(tempDir, '..', `slow-${process.pid}.mp4`);
    const lavfi = ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=24', '-t', '2'];
    expect((await runFfmpeg([...lavfi, '-c:v', 'libx264', '-crf', '8', '-pix_fmt', 'yuv420p', clip])).code).toBe(0);
    try {
      const bytes = await readFile(clip);
      video = { status: 200, raw: bytes };
      let uploads = 0;
      server.on((r) => (r.method === 'PATCH' && r.files.length > 0 && ++uploads === 1 ? hang : undefined));
      server.answer('GET', paths.original, { status: 200, body: { id: '1', content: '📦 Preparing your video…', attachments: [] } });
      const delivery = responder().deliver(deliveringJob(), outputUrl());
      await waitFor(() => uploads === 1 && clock.nextDue() !== undefined, 20_000);
      await clock.advance(30_000 + Math.ceil((bytes.length * 1000) / (64 * 1024)));
      await expect(delivery).resolves.toBe('reencoded');
      const sent = server.discord().filter((r) => r.method === 'PATCH' && r.files.length > 0);
      expect(sent.map((r) => r.files[0]!.bytes.length)).toEqual([bytes.length, expect.any(Number)]);
      expect(sent[1]!.files[0]!.bytes.length).toBeLessThanOrEqual(bytes.length / 2);
      expect(String(sent[1]!.json?.content)).toContain('Re-encoded smaller: the full-size upload did not get through');
    } finally {
      await rm(clip, { force: true });
    }
  });

  it('re-encodes a real clip that is over the limit and says so', async () => {
    const clip = join(tempDir, '..', `clip-${process.pid}.mp4`);
    const lavfi = ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=24', '-t', '2'];
    expect((await runFfmpeg([...lavfi, '-c:v', 'libx264', '-crf', '8', '-pix_fmt', 'yuv420p', clip])).code).toBe(0);
    try {
      video = { status: 200, raw: await readFile(clip) };
      const job = deliveringJob();
      job.reply.attachmentSizeLimit = MiB;
      expect((await stat(clip)).size).toBeGreaterThan(MiB);
      await expect(responder().deliver(job, outputUrl())).resolves.toBe('reencoded');
      const edit = server.discord()[0];
      expect(edit?.files[0]?.bytes.length).toBeLessThan(MiB);
      expect(edit?.files[0]?.bytes.toString('latin1', 4, 8)).toBe('ftyp');
      expect(String(edit?.json?.content)).toContain("Re-encoded to fit Discord's 1 MB upload limit (resolution kept)");
    } finally {
      await rm(clip, { force: true });
    }
  });
});
