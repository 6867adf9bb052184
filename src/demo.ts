/**
 * `npm run demo`: the real bot against the project's own stand-ins for Discord and Replicate, with no tokens.
 * It submits a sample /video with an image, prints what the member sees, and saves the delivered mp4; then a moderator
 * sets a small allowance, the member's next request is refused, and the usage report's chart and CSV are saved.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeDiscord } from '../test/fakes/discord/fake-discord.js';
import { startFakeReplicate } from '../test/fakes/replicate/fake-replicate.js';
import { startBot } from './bot.js';
import { runModeratorFlow } from './demo-moderator.js';
import { parseConfig } from './config.js';
import { findFfmpeg } from './responder/reencode.js';

const outDir = resolve(process.env.DEMO_OUTPUT_DIR ?? 'demo-output');
const started = Date.now();
const stamp = () => `[+${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s]`;
const say = (line: string) => process.stdout.write(`${line}\n`);

function componentsText(components: unknown[]): string {
  const labels = JSON.stringify(components).match(/"label":"([^"]+)"/g) ?? [];
  return labels.map((l) => `[${l.slice(9, -1)}]`).join(' ');
}

/** A sample first frame: ffmpeg's test pattern when ffmpeg is there, else a tiny PNG. */
function sampleImage(): Buffer {
  const ffmpeg = findFfmpeg();
  if (ffmpeg) {
    const file = join(mkdtempSync(join(tmpdir(), 'demo-')), 'frame.png');
    execFileSync(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360', '-frames:v', '1', file]);
    return readFileSync(file);
  }
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const storeDir = mkdtempSync(join(tmpdir(), 'demo-store-'));
  const discord = await startFakeDiscord({
    guilds: [{ id: '1300000000000000001', name: 'Demo Server', channels: [{ id: '1300000000000000002', name: 'general' }] }],
  });
  const replicate = await startFakeReplicate({ defaultDurationMs: 6_000 });
  const logFile = join(outDir, 'bot.log');
  const logStream = createWriteStream(logFile);
  const config = parseConfig({
    DISCORD_TOKEN: discord.botToken,
    REPLICATE_API_TOKEN: replicate.token,
    DISCORD_API_URL: discord.apiUrl,
    REPLICATE_API_URL: replicate.baseUrl,
    STORAGE_URL: `sqlite://${join(storeDir, 'bot.sqlite')}`,
    REPLICATE_POLL_INTERVAL_MS: '500',
    LOG_LEVEL: 'info',
  });
  say('Starting the bot against local stand-ins for Discord and Replicate (no tokens, no network)…');
  const bot = await startBot({
    config,
    logDestination: { write: (line: string) => void (logStream.writable && logStream.write(line)) },
    tuning: { editIntervalMs: 500, progressIntervalMs: 2_000, defaultExpectedMs: 6_000 },
  });
  say(`${stamp()} bot is online; /video registered: ${discord.commands().map((c) => c.name).join(', ')}`);

  const image = sampleImage();
  const attachment = discord.addAttachment({ bytes: image, filename: 'first-frame.png', contentType: 'image/png' });
  const prompt = 'a paper boat drifting down a rainy street, cinematic';
  say(`${stamp()} member "mia" runs: /video prompt:"${prompt}" image:first-frame.png duration:5`);
  const mia = { id: '1300000000000000010', username: 'mia' };
  const sent = discord.sendSlashCommand({
    name: 'video',
    user: mia,
    options: { prompt, image: attachment, duration: 5 },
  });

  let shown = 0;
  const record = await discord.waitFor(
    (d) => {
      const r = d.interaction(sent.id);
      if (r.ackAt !== undefined && shown === 0) {
        say(`${stamp()} Discord shows: "Video Bot is thinking…" (acknowledged in ${r.ackAt - sent.sentAt} ms)`);
        shown = 1;
      }
      for (const version of r.originalHistory.slice(Math.max(shown, 1))) {
        const files = version.attachments.map((a) => `📎 ${a.filename} (${(a.size / 1024).toFixed(0)} KiB)`).join(' ');
        say(`${stamp()} reply edited: ${version.content.replace(/\n/g, ' | ')} ${componentsText(version.components)} ${files}`);
      }
      shown = Math.max(shown, r.originalHistory.length);
      return r.followUps.length > 0 ? r : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 50, description: 'the delivered video' },
  );
  for (const followUp of record.followUps) say(`${stamp()} follow-up (pings the member): ${followUp.content}`);
  await discord.waitFor(() => bot.queue.stats().running === 0 || undefined, { timeoutMs: 10_000 });

  const delivered = record.original?.attachments[0];
  if (!delivered) throw new Error('no video was attached to the reply');
  const videoFile = join(outDir, 'video.mp4');
  writeFileSync(videoFile, delivered.bytes);
  const prediction = replicate.predictions[0]!;
  const sameImage = replicate.startImageBytes(prediction.id)?.equals(image) ?? false;
  say('');
  say(`Saved the delivered video to ${videoFile} (${delivered.size} bytes).`);
  say(`Replicate received the prompt and ${sameImage ? 'exactly the attached image bytes' : 'a DIFFERENT image (bug!)'}.`);

  say('');
  await runModeratorFlow({ discord, member: mia, outDir, say, stamp });
  say(`Bot log lines are in ${logFile}.`);

  await bot.stop();
  logStream.end();
  await Promise.all([discord.close(), replicate.close()]);
  rmSync(storeDir, { recursive: true, force: true });
  if (!sameImage) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`Demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

