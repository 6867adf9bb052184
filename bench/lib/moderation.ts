import type { Bot } from '../../src/bot.js';
import type { Job } from '../../src/queue/job.js';
import type { AdminChange } from '../../src/settings/admin-changes.js';

/**
 * A busy server's moderation, set through the bot's own /video-admin path (persisted like a moderator's change), so
 * the acknowledgement benchmarks measure admission with every rule on: an allowance and a role allowance, a server
 * budget, an allowed channel, a cooldown of 0 (checked), 100 blocked words, and `members` members with usage this
 * period (ledger entries). Every bench request still passes: allowances and budget are large, words never match.
 */
export async function applyBenchModeration(bot: Bot, guildIds: readonly string[], members = 10_000): Promise<void> {
  const mod = '100000000000000001';
  const words = Array.from({ length: 100 }, (_, i) => `forbidden${i}word`);
  for (const guildId of guildIds) {
    const channelId = bot.client.guilds.cache.get(guildId)?.channels.cache.first()?.id;
    if (!channelId) throw new Error(`guild ${guildId} has no channel in the bot's cache`);
    const changes: AdminChange[] = [
      { kind: 'quota-default', allowance: 3_600 },
      { kind: 'quota-role', roleId: '100000000000000002', allowance: 'unlimited' },
      { kind: 'quota-budget', seconds: 10_000_000 },
      { kind: 'access-channel', channelId, allowed: true },
      ...words.map((word): AdminChange => ({ kind: 'words-add', word })),
    ];
    for (const change of changes) {
      const result = await bot.policy.change(guildId, change, mod);
      if (!result.ok) throw new Error(`bench moderation refused: ${result.error}`);
    }
  }
  // Members with usage this period, spread over the guilds: what admission sums for a member and for a budget.
  const now = Date.now();
  for (let i = 0; i < members; i++) {
    const guildId = guildIds[i % guildIds.length]!;
    bot.policy.reserve({
      id: `bench-usage-${i}`,
      guildId,
      userId: String(300_000_000_000_000_000n + BigInt(i)),
      seconds: 5,
      createdAt: now,
    } as Job);
  }
}
