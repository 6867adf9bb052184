import type { APIAllowedMentions, APIEmbed } from 'discord.js';
import type { Job } from '../queue/job.js';

/**
 * The mod-log: one embed per accepted job, edited with its outcome, so the channel reads as one line per job; and
 * one embed per settings change (who changed what, from what to what). Nothing here pings anyone.
 */
export interface ModlogMessage {
  embeds: APIEmbed[];
  allowed_mentions: APIAllowedMentions;
}

const quiet: APIAllowedMentions = Object.freeze({ parse: [] }) as APIAllowedMentions;
const colours = { waiting: 0x5865f2, done: 0x57f287, failed: 0xed4245, canceled: 0x80848e, settings: 0xfee75c };

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface JobOutcome {
  /** Link to the message that holds the video, once delivered. */
  messageUrl?: string;
}

function optionsLine(job: Job): string {
  const r = job.request;
  const parts = [`${job.seconds} s`];
  if (r.aspectRatio) parts.push(r.aspectRatio);
  if (r.cfgScale !== undefined) parts.push(`cfg ${r.cfgScale}`);
  if (job.image) parts.push('with an image');
  return parts.join(' · ');
}

export function renderJobEntry(job: Job, pricePerSecondUsd: number, outcome: JobOutcome = {}): ModlogMessage {
  const cost = (job.seconds * pricePerSecondUsd).toFixed(2);
  const status = (() => {
    switch (job.state) {
      case 'done':
        return outcome.messageUrl ? `✅ delivered · [the video](${outcome.messageUrl})` : '✅ delivered';
      case 'failed':
        return `❌ failed: ${cut(job.reason ?? 'no reason given', 300)}`;
      case 'canceled':
        return job.canceledBy && job.canceledBy !== job.userId ? `🚫 canceled by <@${job.canceledBy}>` : '🚫 canceled by the member';
      default:
        return '⏳ in progress';
    }
  })();
  const colour = job.state === 'done' ? colours.done : job.state === 'failed' ? colours.failed : job.state === 'canceled' ? colours.canceled : colours.waiting;
  const embed: APIEmbed = {
    title: cut(`Video request · ${job.id.slice(0, 8)}`, 256),
    description: cut(job.request.prompt, 1500),
    color: colour,
    fields: [
      { name: 'Member', value: `<@${job.userId}>`, inline: true },
      { name: 'Options', value: optionsLine(job), inline: true },
      { name: 'Estimated cost', value: `$${cost}`, inline: true },
      ...(job.request.negativePrompt ? [{ name: 'Negative prompt', value: cut(job.request.negativePrompt, 500) }] : []),
      { name: 'Outcome', value: status },
    ],
    timestamp: new Date(job.createdAt).toISOString(),
  };
  if (job.image?.url) embed.thumbnail = { url: job.image.url };
  return { embeds: [embed], allowed_mentions: quiet };
}

export function renderSettingsChange(by: string, what: string, changes: readonly string[], at: number): ModlogMessage {
  return {
    embeds: [
      {
        title: cut(`Settings changed · ${what}`, 256),
        description: cut(`<@${by}> changed:\n${changes.map((c) => `• ${c}`).join('\n')}`, 4000),
        color: colours.settings,
        timestamp: new Date(at).toISOString(),
      },
    ],
    allowed_mentions: quiet,
  };
}
