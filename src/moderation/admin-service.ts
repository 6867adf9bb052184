import type { APIEmbed } from 'discord.js';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { CancelBy } from '../queue/cancel.js';
import type { Job } from '../queue/job.js';
import type { PeriodKind } from '../quota/period.js';
import type { UsageRow } from '../report/usage-report.js';
import type { AdminChange } from '../settings/admin-changes.js';
import type { GuildSettings, OperatorPolicy } from '../settings/guild-settings.js';
import type { ModelCatalogue } from '../settings/model-settings.js';
import { modelChoices, renderModels } from '../settings/models-view.js';
import { renderSettings } from '../settings/settings-view.js';

/** What a moderator's report reply holds: embeds and the files they show (the chart) or offer (the CSV). */
export interface ReportReply {
  embeds: APIEmbed[];
  files: { name: string; data: Buffer; contentType: string }[];
}

/** The mod-log as the moderators' commands use it (src/moderation/modlog.ts). */
export interface ModlogPort {
  /** Posts who changed what; resolves when posted or given up (never rejects). */
  settingsChanged(guildId: string, by: string, changes: readonly string[], what?: string): Promise<void>;
  /** The last problem posting there (missing permission, channel gone), in plain words. */
  problemOf(guildId: string): string | undefined;
  /** Edits the posted entries of these (redacted) jobs to show neither prompt nor image. */
  forgetEntries(guildId: string, jobs: readonly Job[], days: number): Promise<{ edited: number; failed: number }>;
}

export interface AdminDeps {
  policy: {
    settingsOf(guildId: string): GuildSettings;
    preview(guildId: string, change: AdminChange, by: string): { ok: true; changes: string[] } | { ok: false; error: string };
    change(guildId: string, change: AdminChange, by: string): Promise<{ ok: true; changes: string[] } | { ok: false; error: string }>;
    rowsByDay(guildId: string, kind: PeriodKind, at: number): AsyncIterable<readonly UsageRow[]>;
    policyOf(guildId: string): { period: 'day' | 'week' };
    forgetPrompts(guildId: string, userId: string, days: number): Promise<{ own: string[]; copies: string[] }>;
  };
  queue: {
    cancelNotStartedOf(guildId: string, userId: string, by: CancelBy): Promise<number>;
    redactJobs(jobIds: readonly string[]): Promise<{ redacted: Job[]; live: Job[] }>;
  };
  operator: OperatorPolicy;
  /** The operator's models (the model registry): `models list`, the settings summary and autocomplete. */
  models?: ModelCatalogue | undefined;
  clock: Clock;
  log: Logger;
  modlog?: ModlogPort | undefined;
  /** Renders the usage report (src/report/usage-reply.ts). */
  renderUsage?: (input: {
    guildId: string;
    rows: () => AsyncIterable<readonly UsageRow[]>;
    kind: PeriodKind;
    at: number;
    userId?: string;
  }) => Promise<ReportReply>;
  /** How far back finished job records are kept (forget looks that far). */
  jobRetentionDays: number;
  /** Tries of a refused settings write before the moderator is told to try again (default 5, 0.25 s doubling). */
  saveAttempts?: number;
}

export type ChangeAnswer = { ok: true; text: string } | { ok: false; error: string };

/** The subcommand each change came from: the mod-log entry's title. */
const what: Record<AdminChange['kind'], string> = {
  'quota-default': 'quota default',
  'quota-role': 'quota role',
  'quota-member': 'quota member',
  'quota-clear': 'quota clear',
  'quota-grant': 'quota grant',
  'quota-reset': 'quota reset',
  'quota-budget': 'quota budget',
  limits: 'limits',
  'access-channel': 'access channel',
  'access-role': 'access role',
  'access-block': 'access block',
  'access-unblock': 'access unblock',
  'words-add': 'words add',
  'words-remove': 'words remove',
  modlog: 'modlog',
  pause: 'pause',
  resume: 'resume',
  forget: 'forget',
  'models-allow': 'models allow',
  'models-deny': 'models deny',
  'models-default': 'models default',
};

/**
 * /video-admin's work, behind the command: every change is checked first (an invalid value answered at once, no
 * I/O), then persisted (a refused write retried a few times) before it is answered, then written to the mod-log.
 * The mod-log never delays the answer beyond a short wait, and its failure never fails the change.
 */
export function createAdminService(deps: AdminDeps) {
  const { policy, clock, log } = deps;
  const attempts = deps.saveAttempts ?? 5;

  async function persisted(guildId: string, change: AdminChange, by: string) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await policy.change(guildId, change, by);
      } catch (err) {
        log.warn({ err, guildId, change: change.kind, attempt }, 'settings write failed');
        if (attempt >= attempts) return undefined;
        await clock.sleep(250 * 2 ** (attempt - 1));
      }
    }
  }

  /**
   * Everything the bot holds of the member's input, and every copy of it (other members' Regenerate and Remix, their
   * kept images and usage rows, the mod-log entries): removed or edited; the answer says what, and what stays in
   * Discord out of the bot's reach.
   */
  async function forget(guildId: string, userId: string): Promise<string[]> {
    const found = await policy.forgetPrompts(guildId, userId, deps.jobRetentionDays);
    const own = await deps.queue.redactJobs(found.own);
    const copies = await deps.queue.redactJobs(found.copies);
    const all = [own, copies].flatMap((r) => [...r.redacted, ...r.live]);
    const modlog = deps.modlog && all.length ? await deps.modlog.forgetEntries(guildId, all, deps.jobRetentionDays + 1) : { edited: 0, failed: 0 };
    log.info({ guildId, userId, jobs: found.own.length, copies: found.copies.length, ...modlog }, 'member forgotten');
    const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
    const lines = [
      `• ${n(own.redacted.length, 'finished video', 'finished videos')} of theirs redacted now; any still on their way are redacted when they end`,
    ];
    const copyCount = copies.redacted.length + copies.live.length;
    if (copyCount) lines.push(`• ${n(copyCount, 'copy', 'copies')} made by other members (Regenerate, Remix) redacted, with the copied images`);
    if (modlog.edited) lines.push(`• ${n(modlog.edited, 'mod-log entry', 'mod-log entries')} edited: prompt and image removed`);
    if (modlog.failed) lines.push(`• ${n(modlog.failed, 'mod-log entry', 'mod-log entries')} could not be edited (deleted, or the bot lost access): remove them by hand`);
    lines.push(
      "• Still in Discord, where the bot cannot edit them: the delivered videos' own messages stay (the video, and the prompt Discord shows with the member's command), and anything members posted themselves. Delete those in Discord if they must go.",
    );
    return lines;
  }

  return {
    /** An error to answer at once (bad value, nothing to clear…), or undefined. Synchronous. */
    precheck(guildId: string, change: AdminChange, by: string): string | undefined {
      const result = policy.preview(guildId, change, by);
      return result.ok ? undefined : result.error;
    },

    async change(guildId: string, change: AdminChange, by: string): Promise<ChangeAnswer> {
      const result = await persisted(guildId, change, by);
      if (!result) return { ok: false, error: "Couldn't save that: the bot's storage isn't answering. Nothing changed; please try again in a minute." };
      if (!result.ok) return result;
      const lines = result.changes.map((c) => `• ${c}`);
      if (change.kind === 'access-block') {
        const canceled = await deps.queue.cancelNotStartedOf(guildId, change.userId, { userId: by, guildId, canManageGuild: true });
        if (canceled) lines.push(`• ${canceled} waiting video${canceled === 1 ? '' : 's'} of theirs canceled (running ones finish)`);
      }
      if (change.kind === 'forget') lines.push(...(await forget(guildId, change.userId)));
      const posted = deps.modlog?.settingsChanged(guildId, by, result.changes, what[change.kind]);
      if (change.kind === 'modlog' && change.channelId && posted) {
        // A new mod-log channel is tried at once, so a moderator hears now that the bot cannot post there.
        await Promise.race([posted, clock.sleep(2_000).catch(() => undefined)]);
        const problem = deps.modlog?.problemOf(guildId);
        if (problem) lines.push(`⚠️ ${problem}`);
      }
      return { ok: true, text: `Saved. Now in force:\n${lines.join('\n')}` };
    },

    settings(guildId: string): APIEmbed {
      const problem = deps.modlog?.problemOf(guildId);
      return renderSettings(policy.settingsOf(guildId), deps.operator, problem ? [problem] : [], deps.models);
    },

    /** `models list`: undefined when the bot was built without the catalogue. */
    models(guildId: string): APIEmbed | undefined {
      return deps.models && renderModels(policy.settingsOf(guildId).models, deps.models);
    },

    /** A `model` option's autocomplete choices. */
    modelChoices(typed: string) {
      return deps.models ? modelChoices(deps.models, typed) : [];
    },

    words(guildId: string): readonly string[] {
      return policy.settingsOf(guildId).words;
    },

    async usage(guildId: string, query: { period?: PeriodKind; userId?: string }): Promise<ReportReply | string> {
      if (!deps.renderUsage) return 'Usage reports are not available in this version of the bot.';
      const kind = query.period ?? policy.policyOf(guildId).period;
      const at = clock.now();
      const rows = () => policy.rowsByDay(guildId, kind, at);
      return deps.renderUsage({ guildId, rows, kind, at, ...(query.userId ? { userId: query.userId } : {}) });
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
