/**
 * The moderator's half of `npm run demo`: sets a mod-log and a small allowance, shows the member's refusal, then
 * fetches the usage report and saves its chart and CSV. It drives the fake Discord the way test/harness/admin-steps.ts
 * does; src/ may not import the test harness, so the small wait for an answer is re-implemented here.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import type { FakeDiscord, FakeUser, InteractionHandle, InteractionRecord, SlashOptionValue } from '../test/fakes/discord/fake-discord.js';

const moderator: FakeUser = { id: '1300000000000000020', username: 'mod' };
/** Manage Server, which /video-admin's `default_member_permissions` asks for. */
const moderatorPermissions = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages;

/** Waits for what the user reads: an immediate reply, or a deferred one once it has been edited. */
function answerOf(discord: FakeDiscord, handle: InteractionHandle, description: string): Promise<InteractionRecord> {
  return discord.waitFor(
    (d) => {
      const record = d.interaction(handle.id);
      if (record.ackType === 4) return record;
      if (record.ackType === 5 && record.original && (record.original.content || record.original.embeds.length)) return record;
      return undefined;
    },
    { description, timeoutMs: 30_000, intervalMs: 20 },
  );
}

function oneLine(text: string): string {
  return text.replace(/\n+/g, ' | ');
}

export interface ModeratorFlowInput {
  discord: FakeDiscord;
  /** The member who already had a video delivered; their next request is refused. */
  member: FakeUser;
  outDir: string;
  say: (line: string) => void;
  stamp: () => string;
}

export async function runModeratorFlow({ discord, member, outDir, say, stamp }: ModeratorFlowInput): Promise<void> {
  const admin = async (shown: string, subcommand: string, options: Record<string, SlashOptionValue>) => {
    say(`${stamp()} moderator "${moderator.username}" (Manage Server) runs: /video-admin ${shown}`);
    const handle = discord.sendSlashCommand({ name: 'video-admin', subcommand, options, user: moderator, permissions: moderatorPermissions });
    return answerOf(discord, handle, `the answer to /video-admin ${subcommand}`);
  };

  const modlog = discord.addChannel({ name: 'mod-log' });
  const setModlog = await admin('modlog channel:#mod-log', 'modlog', { channel: modlog.id });
  say(`${stamp()} moderator sees (only them): ${oneLine(setModlog.original!.content)}`);
  const setQuota = await admin('quota default seconds:5', 'quota default', { seconds: 5 });
  say(`${stamp()} moderator sees (only them): ${oneLine(setQuota.original!.content)}`);

  const prompt = 'the same boat, now at sunset';
  say(`${stamp()} member "${member.username}" runs: /video prompt:"${prompt}"`);
  const request = discord.sendSlashCommand({ name: 'video', user: member, options: { prompt } });
  const refusal = await answerOf(discord, request, 'the refusal');
  const refused = refusal.ackType === 4 && refusal.ephemeral;
  say(`${stamp()} ${refused ? 'refused' : 'NOT refused (bug!)'}, only ${member.username} sees: ${oneLine(refusal.original!.content)}`);

  const report = await admin('usage period:month', 'usage', { period: 'month' });
  const embed = report.original!.embeds[0] as { title?: string; fields?: { name: string; value: string }[] } | undefined;
  const figures = (embed?.fields ?? []).slice(0, 3).map((f) => `${f.name} ${f.value}`).join(' · ');
  const files = report.original!.attachments.map((a) => `📎 ${a.filename}`).join(' ');
  say(`${stamp()} moderator sees (only them): ${embed?.title ?? 'an embed'}: ${figures} ${files}`);
  const chart = report.original!.attachments.find((a) => a.filename === 'usage.png');
  const csv = report.original!.attachments.find((a) => a.filename.endsWith('.csv'));
  if (!chart || !csv) throw new Error('the usage report had no chart or no CSV');
  const chartFile = join(outDir, 'usage.png');
  const csvFile = join(outDir, 'usage.csv');
  writeFileSync(chartFile, chart.bytes);
  writeFileSync(csvFile, csv.bytes);

  // Each settings change posts to the mod-log as it happens; wait for both so the lines printed are all there.
  const entries = await discord.waitFor(() => (discord.channelMessages(modlog.id).length >= 2 ? discord.channelMessages(modlog.id) : undefined), {
    timeoutMs: 10_000,
    description: 'the two settings lines in the mod-log',
  });

  say('');
  say(`Saved the usage chart to ${chartFile} and the CSV (sent as ${csv.filename}) to ${csvFile}.`);
  say(`The #mod-log channel holds ${entries.length} entries (videos accepted from now on add one each):`);
  for (const entry of entries) {
    const first = entry.embeds[0] as { title?: string; description?: string } | undefined;
    say(`  ${first?.title ?? ''}: ${oneLine(first?.description ?? entry.content)}`);
  }
  if (!refused) process.exitCode = 1;
}
