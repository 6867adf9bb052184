import { describe, expect, it } from 'vitest';
import { GuildRecords } from '../../src/storage/guild-records.js';
import { waitUntil, type BotProcess } from '../harness/bot-process.js';
import { useProcessWorld } from '../harness/use-world.js';

const world = useProcessWorld();

const mp4 = Buffer.concat([Buffer.from('....ftypisom'), Buffer.alloc(4096, 7)]);
const entry = 'test/harness/owner-bot-main.ts';
// The owner's lease is shortened so a paused holder is taken over within the test (production: 30 s, 10 s).
const lease = { TEST_LEASE_TTL_MS: '3000', TEST_LEASE_RENEW_MS: '1000' };

describe('a lease holder paused (SIGSTOP) past its lease while another process takes over', () => {
  it('resumes (SIGCONT) to find it lost: one prediction, the delivered reply left alone, no job or charge lost, one line and it exits', async () => {
    world().replicate.script({ durationMs: 8_000, output: mp4 });
    const paused = await world().startBot(lease, entry);
    const member = world().discord.sendSlashCommand({
      name: 'video',
      user: { id: '111111111111111111', username: 'ana' },
      options: { prompt: 'a lighthouse in a storm' },
    });
    await paused.waitForLog('prediction created');
    await world().discord.waitFor((d) => /Generating/.test(d.interaction(member.id).original?.content ?? ''), {
      description: 'the progress shown',
    });
    paused.pause('SIGSTOP');

    // The successor starts once the paused holder's lease expired (until then it is refused, and exits).
    let successor: BotProcess | undefined;
    const deadline = Date.now() + 40_000;
    while (!successor) {
      successor = await world().startBot(lease, entry).catch((err: unknown) => {
        if (Date.now() > deadline) throw err;
        return undefined;
      });
    }
    const delivered = await world().discord.waitFor(
      (d) => (d.interaction(member.id).original?.attachments.length ?? 0) > 0 && d.interaction(member.id),
      { timeoutMs: 30_000, description: 'the video delivered by the successor' },
    );
    const deliveredContent = delivered.original!.content;
    await successor.waitForLog('job done');

    paused.pause('SIGCONT');
    await waitUntil(() => paused.hasExited, { description: 'the stale process to exit once resumed' });
    const exit = await paused.exited;
    expect(exit.code).toBe(1);
    const resumedAt = paused.entries().findIndex((e) => e.msg === 'another bot process took over the store lease');
    expect(resumedAt).toBeGreaterThanOrEqual(0);
    // One line says it; nothing after it is an error or a retry.
    const after = paused.entries().slice(resumedAt + 1);
    expect(after.filter((e) => (e.level as number) >= 40)).toEqual([]);
    expect(paused.find('another bot process took over the store lease')).toHaveLength(1);

    // The member's reply still shows the video; nothing was posted or edited by the stale process.
    const reply = world().discord.interaction(member.id);
    expect(reply.original!.attachments).toHaveLength(1);
    expect(reply.original!.content).toBe(deliveredContent);
    expect(reply.original!.content).not.toMatch(/Generating/);
    expect(world().replicate.predictions).toHaveLength(1);

    await successor.kill('SIGTERM');
    const store = await world().openStore();
    try {
      expect(await store.listActiveJobs()).toEqual([]);
      const records = new GuildRecords(store);
      const [guildId] = await records.knownGuilds();
      const today = new Date().toISOString().slice(0, 10);
      expect(await records.loadDay(guildId!, today)).toHaveLength(1);
    } finally {
      await store.close();
    }
  }, 120_000);
});
