/**
 * A /video job: everything needed to finish it after a crash. Stored as plain JSON (epoch-ms numbers, strings).
 * Every job knows its guild, its member and the seconds of video it asked for (quotas build on `seconds`).
 */
export type JobState = 'queued' | 'starting' | 'running' | 'delivering' | 'done' | 'failed' | 'canceled';

/** One of the chosen model's aspect ratios (the default model's: 16:9, 9:16, 1:1). */
export type AspectRatio = string;
/** Seconds of video: one the chosen model takes (the default model's: 5 or 10). */
export type Duration = number;

/** What the member asked for. Unset options are absent, so the model's defaults apply. */
export interface VideoRequest {
  prompt: string;
  /**
   * The catalogue model (owner/name) the job runs on; absent: the default model (REPLICATE_MODEL), which is what
   * every job stored before models could be chosen ran on, and what a Regenerate of one runs on.
   */
  model?: string;
  negativePrompt?: string;
  aspectRatio?: AspectRatio;
  duration?: Duration;
  cfgScale?: number;
  resolution?: string;
  audio?: boolean;
  seed?: number;
}

/** The attachment the member gave as the first frame. The bytes live in the store (`image:<jobId>`). */
export interface ImageRef {
  filename: string;
  /** Content type Discord reported, if any; the stored bytes are sniffed again before use. */
  contentType: string | null;
  size: number;
  /** Discord CDN URL: signed and short-lived, so the bytes are fetched right after the acknowledgement. */
  url: string;
  /** Set once the bytes were downloaded, checked and stored. */
  stored: boolean;
  /** Sniffed MIME type of the stored bytes. */
  mimeType?: string;
  /**
   * Regenerate and Remix: the bytes are copied from this job's stored image (`url` is then the original's, long
   * expired) instead of being fetched.
   */
  source?: { jobId: string };
  /** A delivered job's image is kept until then (the bot's clock) for Regenerate and Remix, then dropped. */
  keptUntil?: number;
}

/** How to reach the member: the interaction's webhook (15 minutes) and, after that, the channel. */
export interface ReplyTarget {
  applicationId: string;
  interactionId: string;
  /** Secret: never logged. Valid for 15 minutes from `interactionAt`. */
  interactionToken: string;
  interactionAt: number;
  channelId: string;
  /** Largest file the interaction may upload (bytes); Discord's default is 10 MiB. */
  attachmentSizeLimit: number;
  /** When progress moved to a channel message because the token was about to expire. */
  channelMessageId?: string;
}

/** A message in a guild channel (or thread): with the job's guild, a link to it. */
export interface PostedMessage {
  channelId: string;
  messageId: string;
}

export interface Job {
  id: string;
  guildId: string;
  userId: string;
  /** The member's name when they asked (the usage chart's legend); removed by `forget`. */
  userName?: string;
  /** Acceptance order across the process; queued jobs keep it across restarts. */
  seq: number;
  state: JobState;
  request: VideoRequest;
  image?: ImageRef;
  /** Seconds of video requested (the model's default is 5). */
  seconds: number;
  reply: ReplyTarget;
  createdAt: number;
  updatedAt: number;
  /** Fair-queue round the scheduler gave the job when it joined the line: restores the waiting order after a restart. */
  queueRound?: number;
  /** Set (and persisted) just before the prediction is created: the idempotency marker. */
  createStartedAt?: number;
  predictionId?: string;
  startedAt?: number;
  predictionDoneAt?: number;
  outputUrl?: string;
  finishedAt?: number;
  /** Plain words for the member when the job failed or was canceled. */
  reason?: string;
  canceledBy?: string;
  /** How the video reached the member: set (with `postedAt`) as soon as it is up, before the member is pinged. */
  delivery?: 'attachment' | 'reencoded' | 'link' | 'channel';
  postedAt?: number;
  /** The message carrying the video (recorded with `postedAt`): what a link to the video points at. */
  postedMessage?: PostedMessage;
  /** When the member was pinged about the delivered video: a restart never pings twice. */
  pingedAt?: number;
  /**
   * False from the moment a job is stored as failed or canceled until the member was shown it: the store keeps such a
   * job listed as active, so a restart shows the end again. Absent on records from before it existed: shown.
   */
  endShown?: boolean;
  /**
   * When a moderator's `forget` removed the member's prompt and image from this record (privacy request): the
   * seconds stay counted; Regenerate and Remix refuse it.
   */
  forgottenAt?: number;
  /**
   * Regenerate and Remix: the job whose input this one copied, and every member whose input it carries (that job's
   * member and, for a copy of a copy, theirs too). `forget` of any of them reaches this job.
   */
  copyOf?: CopyOf;
}

export interface CopyOf {
  jobId: string;
  userIds: string[];
}

/** The members whose prompt or image a job holds: its own, and those it copied from. */
export function inputOwnersOf(job: Pick<Job, 'userId' | 'copyOf'>): string[] {
  return [job.userId, ...(job.copyOf?.userIds ?? [])];
}

export const terminalStates: ReadonlySet<JobState> = new Set(['done', 'failed', 'canceled']);

const allowed: Record<JobState, readonly JobState[]> = {
  queued: ['starting', 'failed', 'canceled'],
  starting: ['running', 'failed', 'canceled'],
  running: ['delivering', 'failed', 'canceled'],
  delivering: ['done', 'failed'],
  done: [],
  failed: [],
  canceled: [],
};

export function isTerminal(state: JobState): boolean {
  return terminalStates.has(state);
}

/** Still the bot's to finish: not ended, or ended without the member having been shown how (see `endShown`). */
export function isOpen(job: Pick<Job, 'state' | 'endShown'>): boolean {
  return !isTerminal(job.state) || job.endShown === false;
}

export function canMove(from: JobState, to: JobState): boolean {
  return allowed[from].includes(to);
}

export class IllegalTransition extends Error {
  constructor(
    readonly from: JobState,
    readonly to: JobState,
  ) {
    super(`job cannot move from ${from} to ${to}`);
  }
}

/** Returns the job in its new state; the caller persists it before showing it to anyone. */
export function moveJob(job: Job, to: JobState, now: number, patch: Partial<Job> = {}): Job {
  if (!canMove(job.state, to)) throw new IllegalTransition(job.state, to);
  const next: Job = { ...job, ...patch, state: to, updatedAt: now };
  if (isTerminal(to)) next.finishedAt = now;
  return next;
}

/** What the /video command gathers before the queue admits a job. */
export type JobDraft = Pick<Job, 'guildId' | 'userId' | 'request' | 'reply' | 'userName' | 'copyOf'> & {
  image?: ImageRef;
  /**
   * Seconds of video the request makes on its model (the model's own default when the member set none), as the
   * model's schema says; absent: read from the request (its duration, else 5, the default model's default).
   */
  seconds?: number;
  /** The member's roles in the guild (allowances and access rules read them); not stored with the job. */
  roleIds?: readonly string[];
};

/** Seconds of video a request yields. */
export function requestedSeconds(request: VideoRequest): number {
  return request.duration ?? 5;
}

/**
 * The job without the member's words and image (`/video-admin forget`): what stays is what the ledger and the
 * usage report count (who, when, how many seconds, how it ended). Only an ended job is redacted: a live one still
 * needs its input, and is redacted by its last write.
 */
export function redactJob(job: Job, at: number): Job {
  const { image: _image, userName: _userName, ...rest } = job;
  const request: VideoRequest = { prompt: '', ...(job.request.duration ? { duration: job.request.duration } : {}) };
  return { ...rest, request, forgottenAt: job.forgottenAt ?? at };
}
