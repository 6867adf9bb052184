import { escapeMarkdown, type APIEmbed } from 'discord.js';
import type { Standing } from '../src/moderation/gate.js';
import { describeEta, describeRemaining } from '../src/queue/eta.js';
import type { Job } from '../src/queue/job.js';
import type { GuildSnapshot, MemberJob } from '../src/queue/line-view.js';
import { relativeTime } from '../src/quota/period.js';
import { shorten } from '../src/responder/format.js';

/**
 * What /usage and /queue show a member: pure renderers, within Discord's embed limits (a field's value ≤ 1024
 * characters, description ≤ 4096). Prompts are escaped, so a prompt's own markdown cannot break a line or a link.
 */
const color = 0x5865f2;
const fieldMax = 1024;
/** Jobs listed one per line; a member may have more live only when the limits allow it. */
const jobLinesMax = 10;

const when = (standing: Standing) => (standing.period.kind === 'day' ? 'today' : 'this week');
const promptOf = (job: Pick<Job, 'request'>, max = 60) => escapeMarkdown(shorten(job.request.prompt, max));

/** "25 of 60 seconds left today · resets <t:…:R>"; unlimited said plainly. */
export function describeAllowanceLeft(standing: Standing): string {
  if (standing.allowance === 'unlimited') {
    return standing.used > 0 ? `Unlimited (${standing.used} seconds used ${when(standing)})` : 'Unlimited';
  }
  if (standing.allowance === 0) return "0 seconds: you can't make videos in this server";
  return `${standing.left} of ${standing.allowance} seconds left ${when(standing)} · resets ${relativeTime(standing.period.end)}`;
}

export function describeBudgetLeft(standing: Standing): string | undefined {
  const budget = standing.budget;
  if (!budget) return undefined;
  return `${budget.left} of ${budget.seconds} seconds left ${when(standing)} for everyone · resets ${relativeTime(standing.period.end)}`;
}

/** One line per live job: what it is doing, its place, and its ETA once the bot has history. */
export function describeMemberJob(entry: MemberJob): string {
  const { job } = entry;
  const what = `“${promptOf(job)}” (${job.seconds} s)`;
  switch (job.state) {
    case 'queued': {
      const place = entry.position === undefined ? 'Getting ready' : `Waiting, position ${entry.position}`;
      return `${place}: ${what}${entry.etaMs === undefined ? '' : ` · ready in ${describeEta(entry.etaMs)}`}`;
    }
    case 'delivering':
      return `Being posted: ${what}`;
    default:
      return `Generating: ${what}${entry.etaMs === undefined ? '' : ` · ${describeRemaining(entry.etaMs)}`}`;
  }
}

export function describeMemberJobs(jobs: readonly MemberJob[]): string {
  if (jobs.length === 0) return 'None waiting or running.';
  const lines = jobs.slice(0, jobLinesMax).map((entry) => `• ${describeMemberJob(entry)}`);
  if (jobs.length > jobLinesMax) lines.push(`…and ${jobs.length - jobLinesMax} more`);
  return fitField(lines);
}

/** A delivered video, linked: "[“a fox…”](https://discord.com/channels/…) · <t:…:R>". */
export interface VideoLink {
  job: Pick<Job, 'request' | 'finishedAt' | 'updatedAt'>;
  url: string;
}

export function describeVideoLinks(links: readonly VideoLink[]): string {
  if (links.length === 0) return 'No videos yet.';
  return fitField(
    links.map(({ job, url }) => {
      // Square brackets would end the link text early: escapeMarkdown leaves them alone.
      const text = promptOf(job, 50).replace(/[[\]]/g, '');
      return `• [“${text}”](${url}) · ${relativeTime(job.finishedAt ?? job.updatedAt)}`;
    }),
  );
}

export function renderUsage(o: {
  standing: Standing;
  jobs: readonly MemberJob[];
  links: readonly VideoLink[];
  /** Set when the links could not be read (the store did not answer). */
  linksUnavailable?: boolean;
}): APIEmbed {
  const lines = [`**Seconds of video:** ${describeAllowanceLeft(o.standing)}`];
  const budget = describeBudgetLeft(o.standing);
  if (budget) lines.push(`**Server budget:** ${budget}`);
  return {
    title: 'Your video usage',
    color,
    description: lines.join('\n'),
    fields: [
      { name: 'Your jobs', value: describeMemberJobs(o.jobs) },
      {
        name: 'Your last videos',
        value: o.linksUnavailable ? 'Links to your videos are unavailable right now. Please try again later.' : describeVideoLinks(o.links),
      },
    ],
  };
}

export function renderQueue(o: { snapshot: GuildSnapshot; jobs: readonly MemberJob[] }): APIEmbed {
  const { waiting, running, concurrency } = o.snapshot;
  return {
    title: 'The video queue in this server',
    color,
    description: `**Waiting:** ${waiting} · **Generating:** ${running} (up to ${concurrency} at once)`,
    fields: [{ name: 'Your jobs', value: describeMemberJobs(o.jobs) }],
  };
}

/** Joins lines into one field value, dropping whole lines past Discord's limit. */
function fitField(lines: readonly string[]): string {
  let value = '';
  for (const line of lines) {
    const next = value ? `${value}\n${line}` : line;
    if (next.length > fieldMax) break;
    value = next;
  }
  return value || shorten(lines[0] ?? '', fieldMax);
}
