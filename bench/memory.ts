/**
 * Memory of the bot process, with the stand-ins in a child process (bench/fakes-process.ts) so that what is
 * measured here is the bot (plus this small harness). Run node with --expose-gc (bench/run.ts does).
 *
 *   queued:   RSS and heap idle after start vs. with 1,000 jobs queued across 10 guilds (MAX_CONCURRENT_PREDICTIONS=1,
 *             GUILD_CONCURRENCY=1, queue limits raised), after a GC.
 *   delivery: peak RSS added while delivering a ~25 MiB mp4 (a real H.264 file made once with the shipped ffmpeg and
 *             cached in bench/out/), (1) with the interaction's attachment_size_limit above the file (downloaded to
 *             a temp file, uploaded as is) and (2) with the default 10 MiB (re-encoded by an ffmpeg child process,
 *             whose own peak RSS is read from /proc and reported separately).
 *
 *   upload:   the upload step alone, two ways, on the bot's own REST client: the file read into a Buffer and given
 *             to discord.js as a RawFile (what the delivery did before commit 8d4cac6) and streamed from disk
 *             (fs.openAsBlob in a FormData sent with passThroughBody, what it does since).
 *
 * Usage: node --expose-gc --import tsx bench/memory.ts [queued|delivery|delivery:direct|delivery:reencode|upload]
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, openAsBlob, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Routes } from 'discord.js';
import { startBenchBot } from './lib/bot.js';
import { startFakes } from './lib/fakes.js';
import { collectGarbage, peakRss, resetPeakRss, startSampler } from './lib/memory.js';
import { mib, outDir, printTable, round, runIfMain, sleep, until, writeResult } from './lib/stats.js';

const snapshot = () => {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
};
type Snapshot = ReturnType<typeof snapshot>;
const inMiB = (s: Snapshot) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, mib(v)])) as Record<keyof Snapshot, number>;

async function settled(): Promise<Snapshot> {
  collectGarbage();
  await sleep(200);
  collectGarbage();
  return snapshot();
}

export async function runQueued() {
  const jobs = 1000;
  const fakes = await startFakes('child-process', { guildCount: 10, predictionMs: 3_600_000, backlog: 4096 });
  const bench = await startBenchBot(fakes.endpoints, {
    MAX_CONCURRENT_PREDICTIONS: '1',
    GUILD_CONCURRENCY: '1',
    GUILD_QUEUE_LIMIT: '100000',
    USER_PENDING_LIMIT: '100',
  });
  try {
    await sleep(1000);
    const gcAvailable = collectGarbage();
    const idle = await settled();
    // 200 per second for 5 s: enough to queue them all without a connection storm.
    await fakes.paced(200, jobs / 200, 10, 0);
    await until(() => bench.bot.queue.stats().waiting + bench.bot.queue.stats().running >= jobs, 60_000, 'jobs queued');
    const queuedAt = await settled();
    // Each queued job gets one progress edit (its position); discord.js sends them at its global 50/s.
    const editRoute = 'PATCH /webhooks/:app/:token/messages/:message 200';
    let last = -1;
    await until(async () => {
      const edits = (await fakes.discordRequestCounts())[editRoute] ?? 0;
      const stable = edits === last && edits >= jobs - 1;
      last = edits;
      return stable;
    }, 60_000, 'progress edits to settle', 1000);
    const afterEdits = await settled();
    const stats = bench.bot.queue.stats();
    const result = {
      bench: 'memory-queued',
      gcAvailable,
      jobs,
      guilds: 10,
      queue: stats,
      progressEdits: last,
      idleMiB: inMiB(idle),
      queuedMiB: inMiB(queuedAt),
      queuedAfterEditsMiB: inMiB(afterEdits),
      perJobKiB: {
        rss: round((afterEdits.rss - idle.rss) / jobs / 1024, 1),
        heapUsed: round((afterEdits.heapUsed - idle.heapUsed) / jobs / 1024, 1),
      },
      fakesProcessPid: fakes.pid,
      botLogLines: bench.log.count,
    };
    writeResult('memory-queued', result);
    printTable('memory, bot process (MiB, after GC)', [
      { state: 'idle after start', ...result.idleMiB },
      { state: `${jobs} jobs queued`, ...result.queuedMiB },
      { state: `${jobs} queued, position edits sent`, ...result.queuedAfterEditsMiB },
    ]);
    console.log(`per queued job: RSS ${result.perJobKiB.rss} KiB, heapUsed ${result.perJobKiB.heapUsed} KiB`);
    return result;
  } finally {
    await bench.stop();
    await fakes.close();
  }
}

/** A ~25 MiB H.264 mp4 of noise (it does not compress), made once with the shipped ffmpeg. */
async function sampleVideo(): Promise<string> {
  const path = join(outDir, 'noise-25mib.mp4');
  if (existsSync(path)) return path;
  mkdirSync(outDir, { recursive: true });
  const ffmpeg = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  console.log('making bench/out/noise-25mib.mp4 (once, ~20 s)...');
  await promisify(execFile)(ffmpeg, [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'nullsrc=s=640x360:r=24,geq=random(1)*255:128:128', '-t', '5.2',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '8', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', path,
  ]);
  return path;
}

export async function runDelivery(only?: 'direct' | 'reencode') {
  const video = await sampleVideo();
  const fileBytes = statSync(video).size;
  const fakes = await startFakes('child-process', { guildCount: 1, predictionMs: 1_500, backlog: 4096 });
  // Fast polling so the prediction ends (and delivery starts) within a second or two.
  const bench = await startBenchBot(fakes.endpoints, { REPLICATE_POLL_INTERVAL_MS: '100' }, { defaultExpectedMs: 1_000 });
  const cases = [
    { key: 'direct', name: 'direct upload (limit 100 MiB)', attachmentSizeLimit: 100 * 1024 * 1024 },
    { key: 'reencode', name: 're-encode (limit 10 MiB default)', attachmentSizeLimit: undefined },
  ].filter((c) => !only || c.key === only);
  const rows = [];
  try {
    await sleep(1000);
    let user = 0;
    for (const c of cases) {
      await fakes.script(1_500, video);
      const before = await settled();
      resetPeakRss();
      const sampler = startSampler(2, 'ffmpeg');
      const started = performance.now();
      const [id] = await fakes.burst(1, { firstUser: user++, ...(c.attachmentSizeLimit ? { attachmentSizeLimit: c.attachmentSizeLimit } : {}) });
      const delivered = await until(() => fakes.deliveredBytes(id!), 120_000, `delivery of ${c.name}`, 20);
      const tookMs = performance.now() - started;
      const sampled = sampler.stop();
      const hwm = peakRss();
      const peak = Math.max(sampled.maxRss, hwm ?? 0);
      rows.push({
        case: c.name,
        fileMiB: mib(fileBytes),
        uploadedMiB: mib(delivered ?? 0),
        baselineRssMiB: mib(before.rss),
        peakRssMiB: mib(peak),
        addedMiB: mib(peak - before.rss),
        addedOverFile: round((peak - before.rss) / fileBytes, 2),
        peakFrom: hwm !== undefined && hwm >= sampled.maxRss ? 'VmHWM' : 'sampler',
        sampledPeakMiB: mib(sampled.maxRss),
        ffmpegPeakRssMiB: sampled.childPeaks.length ? sampled.childPeaks.map(mib).join(' + ') : '-',
        tookS: round(tookMs / 1000, 1),
      });
      await sleep(500);
    }
    const result = {
      bench: 'memory-delivery',
      gcAvailable: collectGarbage(),
      fileBytes,
      target: 'added peak RSS <= 2x file size',
      rows,
      discordRequests: await fakes.discordRequestCounts(),
      botLogLines: bench.log.count,
      botLogSample: bench.log.lines.slice(0, 3),
    };
    writeResult(only ? `memory-delivery-${only}` : 'memory-delivery', result);
    printTable(`memory while delivering a ${mib(fileBytes)} MiB mp4 (bot process; ffmpeg separately)`, rows);
    return result;
  } finally {
    await bench.stop();
    await fakes.close();
  }
}

/** Peak RSS added by one PATCH of the original reply carrying the file, done two ways. */
export async function runUpload() {
  const video = await sampleVideo();
  const fileBytes = statSync(video).size;
  const fakes = await startFakes('child-process', { guildCount: 1, predictionMs: 3_600_000, backlog: 4096 });
  const bench = await startBenchBot(fakes.endpoints);
  const rest = bench.bot.client.rest;
  const ways: { name: string; send: (route: `/${string}`) => Promise<unknown> }[] = [
    {
      name: 'Buffer + RawFile (delivery before 8d4cac6)',
      send: async (route) =>
        rest.patch(route, {
          body: { content: 'done', attachments: [{ id: '0' }] },
          files: [{ name: 'video.mp4', data: await readFile(video), contentType: 'video/mp4' }],
          auth: false,
        }),
    },
    {
      name: 'openAsBlob FormData (delivery since 8d4cac6)',
      send: async (route) => {
        const form = new FormData();
        form.append('payload_json', JSON.stringify({ content: 'done', attachments: [{ id: '0' }] }));
        form.append('files[0]', await openAsBlob(video, { type: 'video/mp4' }), 'video.mp4');
        return rest.patch(route, { body: form, passThroughBody: true, auth: false });
      },
    },
  ];
  const rows = [];
  try {
    await sleep(1000);
    let user = 0;
    for (const way of ways) {
      const [id] = await fakes.burst(1, { firstUser: user++, attachmentSizeLimit: 100 * 1024 * 1024 });
      const target = (await until(async () => {
        const t = await fakes.replyTarget(id!);
        return t.acknowledged ? t : undefined;
      }, 10_000, 'deferral'))!;
      await sleep(300);
      const before = await settled();
      resetPeakRss();
      const sampler = startSampler(2);
      await way.send(Routes.webhookMessage(target.applicationId, target.token));
      const sampled = sampler.stop();
      const peak = Math.max(peakRss() ?? 0, sampled.maxRss);
      rows.push({
        way: way.name,
        fileMiB: mib(fileBytes),
        uploadedMiB: mib((await fakes.deliveredBytes(id!)) ?? 0),
        addedMiB: mib(peak - before.rss),
        addedOverFile: round((peak - before.rss) / fileBytes, 2),
      });
    }
    const result = { bench: 'memory-upload', fileBytes, rows };
    writeResult('memory-upload', result);
    printTable('memory, the upload step alone (bot process, peak RSS added)', rows);
    return result;
  } finally {
    await bench.stop();
    await fakes.close();
  }
}

runIfMain(import.meta.url, async () => {
  const which = process.argv[2];
  if (!which || which === 'queued') await runQueued();
  if (!which || which === 'delivery') await runDelivery();
  // One case per process: freed memory stays in the process's RSS, so a second case would start from a high baseline.
  if (which === 'delivery:direct') await runDelivery('direct');
  if (which === 'delivery:reencode') await runDelivery('reencode');
  if (!which || which === 'upload') await runUpload();
});
