import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { responderTempRoot } from '../../src/responder/temp-dir.js';
import { waitUntil } from '../harness/bot-process.js';
import { useProcessWorld } from '../harness/use-world.js';
import { readyPing } from '../harness/video-steps.js';

const world = useProcessWorld();
const video = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, 9)]);

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

describe('a bot killed with SIGKILL while it uploads a video', () => {
  it('keeps the download for the restart, which posts it without fetching it again, once, pinged once', async () => {
    const w = world();
    w.replicate.script({ durationMs: 300, output: video });
    w.discord.failNext({ method: 'PATCH', pathPattern: /\/messages\/(@|%40)original$/, withFile: true, hang: 'before-landing' });
    const root = responderTempRoot(w.storageUrl);
    const bot = await w.startBot();
    const sent = w.discord.sendSlashCommand({ name: 'video', user: { id: '1900000000000000001', username: 'yan' }, options: { prompt: 'a kite in a storm' } });
    await waitUntil(() => w.discord.requests.some((r) => r.status === 0), { description: 'the hung upload' });
    const left = await entries(root);
    expect(left.filter((name) => name.startsWith('video-'))).toHaveLength(1);

    await bot.kill('SIGKILL');
    const next = await w.startBot();
    await next.waitForLog('temporary files of an earlier run removed');
    const record = await readyPing(w, sent, { timeoutMs: 20_000 });
    await next.waitForLog('job done');

    expect(await entries(root)).not.toContain(left[0]);
    expect(record.followUps).toHaveLength(1);
    expect(record.original!.attachments.map((a) => a.bytes.equals(video))).toEqual([true]);
    expect(w.discord.channelMessages(w.discord.defaultChannelId)).toEqual([]);
    // The video Replicate made was downloaded once: the restart used the file the killed process kept.
    expect(w.replicate.requestCount('output')).toBe(1);
    expect(await entries(root)).toEqual([]);
  });
});
