import { ButtonStyle, ComponentType } from 'discord.js';
import type { APIActionRowComponent, APIAllowedMentions, APIComponentInMessageActionRow } from 'discord.js';
import type { Job } from '../queue/job.js';
import { cancelCustomId, jobButtonCustomId, regeneratePrefix, remixPrefix } from '../discord/custom-id.js';
import { describeEta, describeRemaining } from '../queue/eta.js';
import { formatElapsed, formatMegabytes, summarizeRequest } from './format.js';

/**
 * A message body ready to send. Every view carries `allowed_mentions`: prompts are echoed, so nothing in a message
 * may ping unless we say so (only the ready ping and the channel delivery allow the requester).
 */
export interface MessageView {
  content: string;
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
  allowed_mentions: APIAllowedMentions;
}

export const noMentions: APIAllowedMentions = Object.freeze({ parse: [] }) as APIAllowedMentions;

export function onlyMentioning(userId: string): APIAllowedMentions {
  return { parse: [], users: [userId] };
}

export interface ProgressViewInfo {
  position?: number | undefined;
  /** Waiting: ms until the video should be ready, as of the queue's last update (absent without history). */
  etaMs?: number | undefined;
  /** Running: when the video should be ready (epoch ms); counted down beside the elapsed time. */
  readyAt?: number | undefined;
  now: number;
}

export function renderProgress(job: Job, info: ProgressViewInfo): MessageView {
  const live = job.state === 'queued' || job.state === 'starting' || job.state === 'running';
  return {
    content: `${statusLine(job, info)}\n${summarizeRequest(job)}`,
    components: live ? [cancelRow(job.id)] : [],
    allowed_mentions: noMentions,
  };
}

function statusLine(job: Job, info: ProgressViewInfo): string {
  switch (job.state) {
    case 'queued': {
      const line = info.position ? `⏳ In the queue — position ${info.position}` : '⏳ In the queue';
      return info.etaMs === undefined ? line : `${line} · ready in ${describeEta(info.etaMs)}`;
    }
    case 'starting':
      return 'Starting…';
    case 'running': {
      const line = `🎬 Generating… ${formatElapsed(info.now - (job.startedAt ?? job.updatedAt))} elapsed`;
      return info.readyAt === undefined ? line : `${line} · ${describeRemaining(info.readyAt - info.now)}`;
    }
    case 'delivering':
      return '📦 Preparing your video…';
    case 'done':
      return '✅ Done';
    case 'failed':
      return `❌ ${job.reason ?? 'Something went wrong.'}`;
    case 'canceled':
      return job.canceledBy && job.canceledBy !== job.userId ? `Canceled by <@${job.canceledBy}>` : 'Canceled';
  }
}

function cancelRow(jobId: string): APIActionRowComponent<APIComponentInMessageActionRow> {
  return {
    type: ComponentType.ActionRow,
    components: [
      { type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Cancel', custom_id: cancelCustomId(jobId) },
    ],
  };
}

/** Shown on the original reply once the token is about to expire and progress moved to a channel message. */
export function renderMoved(job: Job): MessageView {
  return {
    content: `${summarizeRequest(job)}\nProgress continues in the channel message below ↓`,
    components: [],
    allowed_mentions: noMentions,
  };
}

/** Replaces a moved progress message once the video went out as a new channel message (else it would stay on "Preparing"). */
export function renderDeliveredBelow(job: Job): MessageView {
  return {
    content: `✅ Done — the video is in the message below ↓\n${summarizeRequest(job)}`,
    components: [],
    allowed_mentions: noMentions,
  };
}

export interface DoneDetails {
  /** From the member's request to the video being ready. */
  durationMs: number;
  reencoded?: { fromBytes: number; toBytes: number; keptResolution: boolean; limitBytes?: number };
  /** Set when the file could not be uploaded: Replicate's download link, and when it stops working (epoch ms). */
  linkUrl?: string;
  linkExpiresAt?: number;
}

/** How every delivered video's message starts (two jobs with the same request share it: it identifies no job). */
export function renderDoneHeadline(job: Job): string {
  return `✅ <@${job.userId}>'s video: ${summarizeRequest(job, { promptMax: 60, alwaysSeconds: true })} · made in`;
}

export function renderDone(job: Job, details: DoneDetails): MessageView {
  const lines = [`${renderDoneHeadline(job)} ${formatElapsed(details.durationMs)}`];
  const { reencoded, linkUrl, linkExpiresAt } = details;
  if (reencoded) {
    const how = reencoded.keptResolution ? 'resolution kept' : 'resolution lowered';
    // Without a limit it was made smaller because the full-size upload did not get through.
    lines.push(
      reencoded.limitBytes
        ? `Re-encoded to fit Discord's ${formatMegabytes(reencoded.limitBytes)} upload limit (${how})`
        : `Re-encoded smaller: the full-size upload did not get through (${how})`,
    );
  }
  if (linkUrl) {
    // A Discord timestamp: each reader sees "in 40 minutes" (then "12 minutes ago") in their own time.
    const when = linkExpiresAt === undefined ? 'within the hour' : `<t:${Math.floor(linkExpiresAt / 1000)}:R>`;
    lines.push(`Could not be attached here: download it from Replicate — the link expires ${when}.`, linkUrl);
  }
  return { content: lines.join('\n'), components: [againRow(job.id)], allowed_mentions: noMentions };
}

/**
 * Regenerate (the same input, as a new job for whoever presses it) and Remix (a form prefilled with the prompts).
 * Routed by custom_id only, so they work on videos delivered before a restart. The Regenerate custom_id is also how
 * a restart recognises this job's video in Discord (`isDeliveryOf`): every delivered message carries this row.
 */
function againRow(jobId: string): APIActionRowComponent<APIComponentInMessageActionRow> {
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: 'Regenerate',
        emoji: { name: '🔁' },
        custom_id: jobButtonCustomId(regeneratePrefix, jobId),
      },
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: 'Remix',
        emoji: { name: '✏️' },
        custom_id: jobButtonCustomId(remixPrefix, jobId),
      },
    ],
  };
}

/** The start of the ready ping: how a restart recognises that the member was already pinged. */
export function renderReadyPingPrefix(job: Job): string {
  return `<@${job.userId}> your video is ready`;
}

/** The follow-up that notifies the member: an edit never pings, a new message does. */
export function renderReadyPing(job: Job): MessageView {
  const content = `${renderReadyPingPrefix(job)} ↑`;
  return { content, components: [], allowed_mentions: onlyMentioning(job.userId) };
}

/** The job's short reference, shown in channel pings so that a restart can tell one job's ping from another's. */
export function jobRef(job: Job): string {
  return `ref ${job.id.slice(0, 8)}`;
}

/** The same ping as a channel message (the token had died): it names the video, since it follows no reply. */
export function renderChannelReadyPing(job: Job): MessageView {
  const content = `${renderReadyPingPrefix(job)}: ${summarizeRequest(job, { promptMax: 60 })} · ${jobRef(job)}`;
  return { content, components: [], allowed_mentions: onlyMentioning(job.userId) };
}
