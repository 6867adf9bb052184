import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import type { Logger } from 'pino';
import type { Clock } from '../src/clock.js';
import type { OfferedModels } from '../src/models/offered.js';
import type { ImageRef, Job, ReplyTarget, VideoRequest } from '../src/queue/job.js';
import type { ReusableInput } from '../src/queue/job-input.js';
import type { AdminService } from '../src/moderation/admin-service.js';
import type { Standing } from '../src/moderation/gate.js';
import type { GuildSnapshot, MemberJob } from '../src/queue/line-view.js';
import type { RefusalCode } from '../src/refusals.js';
import type { EffectivePolicy } from '../src/settings/guild-settings.js';

/** What a command may ask of the queue: commands never reach Replicate or the store themselves. */
export interface VideoQueue {
  /** Synchronous, no I/O: reserves a place or refuses. Runs before the acknowledgement. */
  admit(draft: {
    guildId: string;
    userId: string;
    userName?: string;
    request: VideoRequest;
    image?: ImageRef | undefined;
    reply: ReplyTarget;
    roleIds?: readonly string[];
  }): { ok: true; job: Job } | { ok: false; refusal: RefusalCode } | { ok: false; refusal: 'policy'; policy: { code: string; text: string } };
  /** Gives back a place admitted but never acknowledged. */
  release(job: Job): void;
  /**
   * Starts the job: its first write at once, the rest once `acknowledged` resolves true (false: it ends quietly).
   * Resolves once the job is in line; never throws.
   */
  accept(job: Job, acknowledged?: Promise<boolean>): Promise<void>;
  /** The first outcome of the accepted job's first write: durable, or refused by the store (and being retried). */
  whenStored(jobId: string): Promise<'stored' | 'refused'>;
  /** Synchronous, in memory: how many wait and run in the guild (/queue). */
  guildSnapshot(guildId: string): GuildSnapshot;
  /** Synchronous, in memory: the member's waiting and running jobs, with places and ETAs (/usage, /queue). */
  memberJobs(guildId: string, userId: string): MemberJob[];
  /** A job's record, live or from the store (a finished one may be gone: expired or forgotten). */
  getJob(jobId: string): Promise<Job | undefined>;
  /**
   * A job's input for a new job (Regenerate, Remix): its request and a reference to its kept image, or why it
   * cannot be reused. May read the store: callers bound the wait (Discord's 3 seconds). A job of another guild
   * than `guildId` is not found.
   */
  inputOf(jobId: string, guildId: string): Promise<ReusableInput | { ok: false; refusal: 'job-not-found' }>;
}

/** The moderators' rules as members' commands read them (synchronous, in memory). */
export interface MemberPolicy {
  standingOf(guildId: string, userId: string, roleIds: readonly string[], now?: number): Standing;
  policyOf(guildId: string): EffectivePolicy;
  /** Ids of the member's latest delivered jobs (the recent days kept in memory), newest first. */
  recentDelivered(guildId: string, userId: string, limit: number): string[];
  /**
   * The models a member with these roles may run here (catalogue order) and the server's default, always among
   * them; set with /video-admin models (src/settings/model-settings.ts). Undefined without a catalogue.
   */
  modelsFor(guildId: string, roleIds: readonly string[]): { allowed: string[]; defaultModel: string } | undefined;
}

export interface CommandContext {
  queue: VideoQueue;
  policy: MemberPolicy;
  /** The moderators' side of /video-admin (src/moderation/admin-service.ts). */
  admin: AdminService;
  log: Logger;
  clock: Clock;
  /** The models /video offers a guild's members (every catalogue model until a guild policy narrows them). */
  models: OfferedModels;
}

/** What registration needs of a command: its name and its JSON (a slash command or a context menu). */
export interface CommandData {
  readonly name: string;
  toJSON(): RESTPostAPIApplicationCommandsJSONBody;
}

/** A slash command: builder + handler, one file each. */
export interface Command {
  data: CommandData;
  execute(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<void>;
  /** Choices for an option registered with autocomplete, within Discord's 3 seconds (no deferral exists). */
  autocomplete?(interaction: AutocompleteInteraction, ctx: CommandContext): Promise<void>;
}

/** A message context-menu command (right-click a message → Apps). */
export interface MessageCommand {
  kind: 'message';
  data: CommandData;
  execute(interaction: MessageContextMenuCommandInteraction, ctx: CommandContext): Promise<void>;
}
