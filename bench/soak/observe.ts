/**
 * What the soak reads after (and while) it runs: for each planned job what its member sees at the fake Discord,
 * the predictions at the fake Replicate, the bot's claims and the ledger's usage rows; and, for each class of miss,
 * the log lines that explain a few of its jobs.
 */
import type { UsageRow } from '../../src/report/usage-report.js';
import type { Store } from '../../src/storage/keyv-store.js';
import type { FakeDiscord, FakeGuild } from '../../test/fakes/discord/fake-discord.js';
import type { FakeReplicate } from '../../test/fakes/replicate/fake-replicate.js';
import type { BotLogs } from './bot-logs.js';
import type { RedisChaos } from './redis-chaos.js';
import type { Members } from './members.js';
import type { PlannedJob, SoakPlan } from './plan.js';
import type { JobObservation, JobVerdict } from './tally.js';

export interface Observed {
  discord: FakeDiscord;
  replicate: FakeReplicate;
  logs: BotLogs;
  members: Members;
  plan: SoakPlan;
}

/** The job's first prompt word (`soak-017`): a Regenerate job's messages carry its source's prompt. */
const markerOf = (job: PlannedJob) => `${job.prompt.split(' ')[0]!} `;

export function observe(run: Observed, job: PlannedJob): JobObservation {
  const { discord, replicate, logs, members } = run;
  const records = members.interactionsOf(job).map((id) => discord.interaction(id));
  const marker = markerOf(job);
  const userId = members.userOf(job).id;
  // A video and its Regenerates share a prompt: each one's channel messages are those addressed to its member.
  const shared = run.plan.jobs.some((j) => j !== job && j.prompt === job.prompt);
  const jobIds = records.map((r) => logs.jobOfInteraction.get(r.id)).filter((id): id is string => id !== undefined);
  return {
    job,
    userId,
    interactions: records,
    jobIds,
    stored: undefined,
    predictions: replicate.predictions.filter((p) => p.input.prompt === job.prompt),
    claimedPredictions: [...new Set(jobIds.flatMap((id) => [...(logs.predictionsOfJob.get(id) ?? [])]))],
    usageRows: [],
    channelMessages: discord
      .channelMessages(members.channelOf(job))
      .filter((m) => m.history.some((v) => v.content.includes(marker) && (!shared || v.content.includes(`<@${userId}>`)))),
    cancelPressed: members.cancelPressed(job),
  };
}

/** The observation completed from the store after the last restart: the job's record, claim and usage rows. */
export async function observeWithStore(run: Observed, job: PlannedJob, store: Store, rows: readonly UsageRow[]): Promise<JobObservation> {
  const seen = observe(run, job);
  const records = [];
  for (const id of seen.jobIds) records.push(await store.getJob(id));
  const stored = records.at(-1);
  const fromStore = records.flatMap((r) => (r?.predictionId ? [r.predictionId] : []));
  return {
    ...seen,
    stored,
    claimedPredictions: [...new Set([...seen.claimedPredictions, ...fromStore])],
    usageRows: rows.filter((r) => seen.jobIds.includes(r.jobId)).map((r) => ({ jobId: r.jobId, state: r.state })),
  };
}

/** Every usage row the ledger holds for the soak's guilds on the days the run touched. */
export async function readUsageRows(store: Store, guilds: readonly FakeGuild[], days: readonly string[]): Promise<UsageRow[]> {
  const rows: UsageRow[] = [];
  for (const guild of guilds) {
    for (const day of days) rows.push(...((await store.getMeta<UsageRow[]>(`usage:${guild.id}:${day}`)) ?? []));
  }
  return rows;
}

export function storeFaultCounts(logs: BotLogs, redis: RedisChaos | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { entry } of logs.entries) {
    if (entry.msg !== 'store fault injected') continue;
    const key = `store ${String(entry.op)} refused${entry.applied ? ' (after it was applied)' : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return { ...counts, ...(redis?.counts() ?? {}) };
}

export type Explanations = { what: string; jobs: { tag: string; jobId: string | undefined; lines: string[] }[] }[];

/** For each class of miss, up to three jobs with their warnings and errors from every bot process. */
export function explain(run: Observed, verdicts: readonly JobVerdict[]): Explanations {
  const classes: [string, (v: JobVerdict) => boolean][] = [
    ['lost', (v) => v.outcome === 'lost'],
    ['failed for our own fault', (v) => v.failureClass === 'our own fault'],
    ['duplicate predictions', (v) => v.predictions > 1 || v.unclaimedPredictions > 0],
    ['predictions shared by two jobs', (v) => v.sharedPredictions > 0],
    ['duplicate video posts', (v) => v.videoPosts > 1],
    ['duplicate pings', (v) => v.pings > 1],
    ['double charges', (v) => v.charges > 1 || (v.charges > 0 && v.videoPosts === 0)],
    ['delivered without a ping', (v) => v.outcome === 'delivered' && v.pings === 0],
    ['contradictions', (v) => v.contradiction !== undefined],
  ];
  return classes.flatMap(([what, pick]) => {
    const jobs = verdicts
      .filter(pick)
      .slice(0, 3)
      .map((v) => {
        const job = run.plan.jobs.find((j) => j.tag === v.tag)!;
        const predictionIds = observe(run, job).predictions.map((p) => p.id);
        return { tag: v.tag, jobId: v.jobId, lines: run.logs.about(v.jobId, predictionIds, 40).slice(0, 25) };
      });
    return jobs.length ? [{ what, jobs }] : [];
  });
}
