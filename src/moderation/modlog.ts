import { randomUUID } from 'node:crypto';
import { Routes, type APIMessage, type RawFile, type REST } from 'discord.js';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import type { Job } from '../queue/job.js';
import { videoLinkOf } from '../queue/video-link.js';
import { isAmbiguousError, nonceFor } from '../responder/discord-api.js';
import type { GuildRecords, ModlogEntry } from '../storage/guild-records.js';
import { createModlogProblems, isFileRefusedError, isUnknownMessageError, isUnusableChannelError } from './modlog-problems.js';
import { renderJobEntry, renderSettingsChange, type JobOutcome, type ModlogMessage } from './modlog-view.js';
import { createLimiter } from '../limiter.js';

/**
 * The mod-log poster: one entry per accepted job, edited with its outcome; one line per settings change. It never
 * delays or fails a member's job: every call returns at once (the promise is for tests and a clean stop, and never
 * rejects), failures are logged as warnings once per problem, and what is wrong with the channel is kept for
 * `/video-admin settings` (`problemOf`).
 *
 * - The entry's message id is persisted (GuildRecords), so an end after a restart still edits the entry.
 * - Calls for one job run in order: an end waits for the entry's post.
 * - The post carries a nonce (`enforce_nonce`): a resend, or the end's post of a job whose entry was made just
 *   before a crash, gets the message already made instead of a second one.
 * - The start image is uploaded with the entry and is its thumbnail (`attachment://start.png`): the member's own
 *   attachment URL is signed and stops working after about a day, a mod-log is read later than that.
 */
export interface ModlogOptions {
  /** The bot's REST client (`client.rest`): it retries 5xx and waits out 429s itself. */
  rest: REST;
  records: Pick<GuildRecords, 'loadModlogEntry' | 'saveModlogEntry' | 'dropModlogEntry' | 'saveModlogPost' | 'modlogPosts'>;
  log: Logger;
  /** For the entry's estimated cost. */
  pricePerSecondUsd: number;
  /** The guild's mod-log channel now; undefined when the mod-log is off. */
  channelOf: (guildId: string) => string | undefined;
  /** The start image's bytes while the store holds them (until the job ends); without it no image is uploaded. */
  loadImage?: (jobId: string) => Promise<Buffer | undefined>;
  clock?: Clock;
  /** Wait before the one retry of a post or edit that got a 5xx, a 429 or no answer (default 3 000 ms). */
  retryDelayMs?: number;
  /** A channel that refused the bot is left alone this long (default 5 minutes); a settings change tries it at once. */
  pauseUnusableMs?: number;
}

export interface JobEndOutcome {
  /** Link to the message that holds the delivered video. */
  messageUrl?: string;
  /** Who canceled the job, when it was not the member (overrides `job.canceledBy`). */
  canceledBy?: string;
}

export interface Modlog {
  jobAccepted(job: Job): Promise<void>;
  jobEnded(job: Job, outcome?: JobEndOutcome): Promise<void>;
  /** `what` names the change in the title (e.g. `quota default`; default `/video-admin`); `changes` are lines like `default: 60 s → 120 s`. */
  settingsChanged(guildId: string, by: string, changes: readonly string[], what?: string): Promise<void>;
  /** The last problem with the guild's mod-log channel, in plain words; cleared by a later success. */
  problemOf(guildId: string): string | undefined;
  /**
   * `forget`: edits every entry the bot posted in the last `days` days for these jobs (given as redacted) so that it
   * shows neither prompt nor image. Resolves with how many were edited and how many could not be (deleted, no access).
   */
  forgetEntries(guildId: string, jobs: readonly Job[], days: number): Promise<{ edited: number; failed: number }>;
  /** Resolves once every post and edit begun so far has settled. */
  idle(): Promise<void>;
}

const imageTypes: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif' };
/** Start images held in memory for upload at once (each up to 10 MiB; posts to one channel queue behind its rate limit). */
const imageSlots = 2;

const httpUrl = (url: string | undefined) => (url && /^https?:\/\//i.test(url) ? url : undefined);

export function createModlog(o: ModlogOptions): Modlog {
  const clock = o.clock ?? systemClock;
  const retryDelayMs = o.retryDelayMs ?? 3_000;
  const problems = createModlogProblems({ log: o.log, clock, pauseUnusableMs: o.pauseUnusableMs ?? 5 * 60_000 });
  const chains = new Map<string, Promise<void>>();
  const running = new Set<Promise<void>>();
  /** Entries posted by this process whose job has not ended: no store read needed for the edit. */
  const posted = new Map<string, ModlogEntry>();
  const slots = createLimiter(imageSlots);

  /** Runs `step` after the key's earlier steps; never rejects. */
  function chain(key: string, fields: object, step: () => Promise<void>): Promise<void> {
    const next = (chains.get(key) ?? Promise.resolve())
      .then(step)
      .catch((err: unknown) => o.log.warn({ ...fields, err }, 'mod-log step failed'));
    chains.set(key, next);
    running.add(next);
    void next.finally(() => {
      running.delete(next);
      if (chains.get(key) === next) chains.delete(key);
    });
    return next;
  }

  async function withRetry<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!isAmbiguousError(err)) throw err;
      await clock.sleep(retryDelayMs);
      return call();
    }
  }

  function post(channelId: string, body: object, file?: RawFile): Promise<APIMessage> {
    const route = Routes.channelMessages(channelId);
    if (!file) return withRetry(() => o.rest.post(route, { body })) as Promise<APIMessage>;
    const withFile = { ...body, attachments: [{ id: '0', filename: file.name }] };
    return withRetry(() => o.rest.post(route, { body: withFile, files: [file] })) as Promise<APIMessage>;
  }

  function entryView(job: Job, outcome: JobOutcome, thumbnail: string | undefined): ModlogMessage {
    const view = renderJobEntry(job, o.pricePerSecondUsd, outcome);
    const embed = view.embeds[0]!;
    // A forgotten member's job has no prompt left; Discord refuses an empty description.
    if (!embed.description) delete embed.description;
    if (thumbnail) embed.thumbnail = { url: thumbnail };
    else delete embed.thumbnail;
    return view;
  }

  function refused(guildId: string, channelId: string, err: unknown, fields: object, what: string): void {
    if (isUnusableChannelError(err) && channelId === o.channelOf(guildId)) problems.unusable(guildId, channelId, err, fields);
    else problems.failed(guildId, channelId, err, fields, what);
  }

  async function loadStartImage(job: Job): Promise<RawFile | undefined> {
    if (!o.loadImage || !job.image?.stored) return undefined;
    const type = job.image.mimeType ?? job.image.contentType ?? '';
    const ext = imageTypes[type];
    if (!ext) return undefined;
    const bytes = await o.loadImage(job.id).catch((err: unknown) => {
      o.log.warn({ jobId: job.id, err }, 'start image not read for the mod-log; the entry goes up without it');
      return undefined;
    });
    return bytes && { name: `start.${ext}`, data: bytes, contentType: type };
  }

  /**
   * The entry with its start image attached, at most `imageSlots` at once: the message, nothing (no image to
   * attach), or why the channel took no file (the caller posts the entry without it).
   */
  async function postWithImage(job: Job, channelId: string, body: (thumbnail?: string) => object): Promise<{ message: APIMessage; filename: string } | { refusal: unknown } | undefined> {
    if (!o.loadImage || !job.image?.stored) return undefined;
    return slots(async () => {
      const image = await loadStartImage(job);
      if (!image) return undefined;
      try {
        return { message: await post(channelId, body(`attachment://${image.name}`), image), filename: image.name };
      } catch (err) {
        if (isFileRefusedError(err)) return { refusal: err };
        throw err;
      }
    });
  }

  /** Posts the job's entry as it stands; the entry, or undefined when Discord did not take it. */
  async function postEntry(job: Job, channelId: string, outcome: JobOutcome): Promise<{ entry: ModlogEntry; message: APIMessage } | undefined> {
    const fields = { jobId: job.id };
    const body = (thumbnail?: string) => ({ ...entryView(job, outcome, thumbnail), nonce: nonceFor(job.id, 'modlog'), enforce_nonce: true });
    const made = (message: APIMessage, filename?: string) => {
      const attachment = filename ? message.attachments.find((a) => a.filename === filename) : undefined;
      const entry: ModlogEntry = { channelId, messageId: message.id, postedAt: clock.now() };
      if (attachment) entry.attachment = { id: attachment.id, filename: attachment.filename };
      return { entry, message };
    };
    try {
      const withImage = await postWithImage(job, channelId, body);
      if (withImage && 'message' in withImage) {
        problems.succeeded(job.guildId, channelId, true);
        return made(withImage.message, withImage.filename);
      }
      const result = made(await post(channelId, body(httpUrl(job.image?.url))));
      if (withImage) problems.noFiles(job.guildId, channelId, withImage.refusal, fields);
      else problems.succeeded(job.guildId, channelId, false);
      return result;
    } catch (err) {
      refused(job.guildId, channelId, err, fields, 'mod-log post');
      return undefined;
    }
  }

  /** Edits the entry as the job now stands; true once Discord took the edit. */
  async function editEntry(job: Job, entry: ModlogEntry, outcome: JobOutcome): Promise<boolean> {
    const fields = { jobId: job.id, messageId: entry.messageId };
    if (problems.isPaused(entry.channelId)) return false;
    // A forgotten input leaves the entry without its image: the uploaded copy goes too (`attachments: []`).
    const forgotten = job.forgottenAt !== undefined;
    const thumbnail = forgotten ? undefined : entry.attachment ? `attachment://${entry.attachment.filename}` : httpUrl(job.image?.url);
    const view = entryView(job, outcome, thumbnail);
    // Listing the kept attachment keeps the start image inside the embed instead of beside it.
    const body = forgotten ? { ...view, attachments: [] } : entry.attachment ? { ...view, attachments: [{ id: entry.attachment.id }] } : view;
    try {
      await withRetry(() => o.rest.patch(Routes.channelMessage(entry.channelId, entry.messageId), { body }));
      problems.succeeded(job.guildId, entry.channelId, false);
      return true;
    } catch (err) {
      if (isUnknownMessageError(err)) o.log.info({ ...fields, guildId: job.guildId }, 'mod-log entry was deleted; its outcome is not posted again');
      else refused(job.guildId, entry.channelId, err, fields, 'mod-log edit');
      return false;
    }
  }

  /** Lists a posted entry for `forget`; a failure only costs that reach, and is logged. */
  async function listPost(job: Job, entry: ModlogEntry): Promise<void> {
    await o.records.saveModlogPost(job.guildId, job.id, entry).catch((err: unknown) => {
      o.log.warn({ jobId: job.id, guildId: job.guildId, err }, 'mod-log entry not listed; forget would not reach it');
    });
  }

  async function knownEntry(job: Job): Promise<ModlogEntry | undefined> {
    return o.records.loadModlogEntry(job.guildId, job.id).catch((err: unknown) => {
      o.log.warn({ jobId: job.id, guildId: job.guildId, err }, 'mod-log entry not read from the store');
      return undefined;
    });
  }

  return {
    jobAccepted(job) {
      return chain(job.id, { jobId: job.id }, async () => {
        const channelId = o.channelOf(job.guildId);
        if (!channelId || problems.isPaused(channelId)) return;
        // Recovered after a restart: the entry is up already.
        if (posted.has(job.id) || (await knownEntry(job))) return;
        const made = await postEntry(job, channelId, {});
        if (!made) return;
        posted.set(job.id, made.entry);
        await listPost(job, made.entry);
        await o.records.saveModlogEntry(job.guildId, job.id, made.entry).catch((err: unknown) => {
          o.log.warn({ jobId: job.id, guildId: job.guildId, err }, 'mod-log entry not saved; a restart would post its outcome as a new line');
        });
      });
    },

    jobEnded(job, outcome = {}) {
      const ended = outcome.canceledBy ? { ...job, canceledBy: outcome.canceledBy } : job;
      const shown: JobOutcome = outcome.messageUrl ? { messageUrl: outcome.messageUrl } : {};
      return chain(job.id, { jobId: job.id }, async () => {
        const entry = posted.get(job.id) ?? (await knownEntry(job));
        posted.delete(job.id);
        if (entry) {
          await editEntry(ended, entry, shown);
          await o.records.dropModlogEntry(job.guildId, job.id).catch((err: unknown) => {
            o.log.warn({ jobId: job.id, guildId: job.guildId, err }, 'mod-log entry not dropped from the store');
          });
          return;
        }
        // No entry: its post failed or was skipped, or the mod-log was turned on since. One line, already final.
        const channelId = o.channelOf(job.guildId);
        if (!channelId || problems.isPaused(channelId)) return;
        const made = await postEntry(ended, channelId, shown);
        if (made) await listPost(ended, made.entry);
        const wanted = entryView(ended, shown, undefined).embeds[0]!.fields!.at(-1)!.value;
        // Discord answered the nonce with the entry posted just before a crash: give it the outcome.
        if (made && made.message.embeds[0]?.fields?.at(-1)?.value !== wanted) await editEntry(ended, made.entry, shown);
      });
    },

    settingsChanged(guildId, by, changes, what = '/video-admin') {
      return chain(`settings:${guildId}`, { guildId }, async () => {
        const channelId = o.channelOf(guildId);
        if (!channelId) return;
        // A moderator is at work: maybe the channel was fixed or changed.
        problems.unpause(channelId);
        const view = renderSettingsChange(by, what, changes, clock.now());
        try {
          await post(channelId, { ...view, nonce: nonceFor(randomUUID(), 'settings'), enforce_nonce: true });
          problems.succeeded(guildId, channelId, false);
        } catch (err) {
          refused(guildId, channelId, err, { by }, 'mod-log settings post');
        }
      });
    },

    problemOf(guildId) {
      return problems.problemOf(guildId, o.channelOf(guildId));
    },

    async forgetEntries(guildId, jobs, days) {
      const wanted = new Map(jobs.map((job) => [job.id, job]));
      let edited = 0;
      let failed = 0;
      for (let i = 0; i < days && wanted.size > 0; i++) {
        const day = new Date(clock.now() - i * 86_400_000).toISOString().slice(0, 10);
        const posts = await o.records.modlogPosts(guildId, day);
        for (const [jobId, entry] of posts) {
          const job = wanted.get(jobId);
          if (!job) continue;
          wanted.delete(jobId);
          // After the job's own steps, so an end being shown now cannot put the prompt back.
          const messageUrl = videoLinkOf(job);
          await chain(job.id, { jobId }, async () => {
            if (await editEntry(job, entry, messageUrl ? { messageUrl } : {})) edited += 1;
            else failed += 1;
          });
        }
      }
      return { edited, failed };
    },

    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

