import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { inputOwnersOf, isTerminal, type Job, type JobDraft } from '../queue/job.js';
import type { AdmissionPolicy, GuildLimits, PolicyRefusal } from '../queue/ports.js';
import { Ledger } from '../quota/ledger.js';
import { isoDay, periodOf } from '../quota/period.js';
import type { UsageRow } from '../report/usage-report.js';
import { applyAdminChange, type AdminChange, type ChangeResult } from '../settings/admin-changes.js';
import { effectivePolicy, emptySettings, type EffectivePolicy, type GuildSettings, type OperatorPolicy } from '../settings/guild-settings.js';
import { modelsFor, type ModelCatalogue } from '../settings/model-settings.js';
import type { GuildRecords } from '../storage/guild-records.js';
import { createWordMatcher, type WordMatcher } from './blocked-words.js';
import { checkGate, standingOf, type GateRefusal, type GateRequest, type GateView, type Standing } from './gate.js';

/** Days of usage rows kept in memory: enough for the longest allowance period (a week). */
const daysKept = 8;
const dayMs = 86_400_000;

interface GuildState {
  settings: GuildSettings;
  words: WordMatcher;
  /** Usage rows of the recent days, by day then job id. */
  days: Map<string, Map<string, UsageRow>>;
  lastAccepted: Map<string, number>;
}

/**
 * Each guild's moderation state in the process that owns the guild (one writer per guild): its settings, its ledger
 * of video seconds (derived from its jobs' usage rows) and its members' last requests. Everything a request is
 * checked against is in memory, so the check is synchronous and runs before the acknowledgement; every change is
 * persisted before it is answered.
 */
export class GuildPolicy implements AdmissionPolicy {
  private readonly guilds = new Map<string, GuildState>();
  private readonly ledger = new Ledger();
  private readonly changing = new Map<string, Promise<ChangeResult>>();
  /** Guilds whose stored settings were read (at start, or before their first change since). */
  private readonly read = new Set<string>();

  constructor(
    private readonly o: {
      records: GuildRecords;
      operator: OperatorPolicy;
      clock: Clock;
      log: Logger;
      /** The operator's models (the model registry): what `models` changes and `modelsFor` read. */
      models?: ModelCatalogue;
      /** Hears of each accepted and ended job after the ledger did (the mod-log). Must not throw. */
      observer?: { accepted(job: Job): void; ended(job: Job): void };
    },
  ) {}

  /**
   * Loads the known guilds' settings and recent usage, and makes the usage rows agree with the jobs: `active`
   * are the jobs the store holds as active; `getJob` reads one record (for a row whose job may have ended while
   * the process was down).
   */
  async start(active: readonly Job[], getJob: (id: string) => Promise<Job | undefined>): Promise<void> {
    const today = this.o.clock.now();
    const days = Array.from({ length: daysKept }, (_, i) => isoDay(today - i * dayMs));
    for (const guildId of await this.o.records.knownGuilds()) {
      const state = this.stateOf(guildId, await this.o.records.loadSettings(guildId));
      this.read.add(guildId);
      for (const day of days) {
        const rows = await this.o.records.loadDay(guildId, day);
        if (rows.length) state.days.set(day, new Map(rows.map((row) => [row.jobId, row])));
      }
    }
    const activeById = new Map(active.map((job) => [job.id, job]));
    for (const [guildId, state] of this.guilds) {
      for (const [day, rows] of state.days) {
        let changed = false;
        for (const row of rows.values()) {
          if (isTerminal(row.state)) continue;
          const job = activeById.get(row.jobId) ?? (await getJob(row.jobId));
          const state2 = job?.state ?? 'canceled';
          if (state2 !== row.state) {
            row.state = state2;
            changed = true;
          }
        }
        if (changed) void this.saveDay(guildId, day);
      }
    }
    // A job accepted just before a crash may have no row yet.
    for (const job of active) if (!this.rowOf(job)) this.track(job, false);
    for (const [guildId, state] of this.guilds) {
      for (const rows of state.days.values()) {
        for (const row of rows.values()) {
          const last = state.lastAccepted.get(row.userId) ?? 0;
          if (row.acceptedAt > last) state.lastAccepted.set(row.userId, row.acceptedAt);
          if (row.state === 'failed' || row.state === 'canceled') continue;
          this.ledger.reserve({ id: row.jobId, guildId, userId: row.userId, seconds: row.seconds, acceptedAt: row.acceptedAt, charged: row.state === 'done' });
        }
      }
    }
  }

  get operator(): OperatorPolicy {
    return this.o.operator;
  }

  settingsOf(guildId: string): GuildSettings {
    return this.guilds.get(guildId)?.settings ?? emptySettings();
  }

  policyOf(guildId: string): EffectivePolicy {
    return effectivePolicy(this.settingsOf(guildId), this.o.operator);
  }

  /**
   * The models a member with these roles may run in the guild (catalogue order), and the guild's default model,
   * which is always among them. Synchronous, in memory: /video reads it before the acknowledgement. Undefined when
   * the policy was built without the catalogue (unit tests of other rules).
   */
  modelsFor(guildId: string, roleIds: readonly string[]): { allowed: string[]; defaultModel: string } | undefined {
    return this.o.models ? modelsFor(this.settingsOf(guildId), this.o.models, roleIds) : undefined;
  }

  /** The operator's models, as this policy reads them. */
  get models(): ModelCatalogue | undefined {
    return this.o.models;
  }

  /** The queue's admission asks here first (synchronous, in memory). */
  check(draft: JobDraft, seconds: number, now: number): PolicyRefusal | undefined {
    return this.gate({
      guildId: draft.guildId,
      userId: draft.userId,
      roleIds: draft.roleIds ?? [],
      channelId: draft.reply.channelId,
      seconds,
      prompt: draft.request.prompt,
      negativePrompt: draft.request.negativePrompt,
      now,
    });
  }

  limitsOf(guildId: string): GuildLimits {
    const { concurrency, queue, pending } = this.policyOf(guildId);
    return { concurrency, queue, pending };
  }

  /** Synchronous: the moderators' rules for a request. */
  gate(request: GateRequest): GateRefusal | undefined {
    return checkGate(this.viewOf(request.guildId, request.userId), request);
  }

  private viewOf(guildId: string, userId: string): GateView {
    const state = this.guilds.get(guildId);
    return {
      settings: state?.settings ?? emptySettings(),
      operator: this.o.operator,
      ledger: this.ledger,
      lastAcceptedAt: state?.lastAccepted.get(userId),
      ...(state ? { words: state.words } : {}),
    };
  }

  /** A member's seconds this period (what /usage shows): synchronous, in memory. */
  standingOf(guildId: string, userId: string, roleIds: readonly string[], now = this.o.clock.now()): Standing {
    return standingOf(this.viewOf(guildId, userId), { guildId, userId, roleIds, now });
  }

  /** Ids of the member's latest delivered jobs among the days kept in memory (about a week), newest first. */
  recentDelivered(guildId: string, userId: string, limit: number): string[] {
    const rows = [...(this.guilds.get(guildId)?.days.values() ?? [])].flatMap((day) => [...day.values()]);
    return rows
      .filter((row) => row.userId === userId && row.state === 'done')
      .sort((a, b) => b.acceptedAt - a.acceptedAt)
      .slice(0, limit)
      .map((row) => row.jobId);
  }

  /** The job was admitted: its seconds are reserved from now on (synchronous, right after `check`). */
  reserve(job: Job): void {
    this.ledger.reserve({ id: job.id, guildId: job.guildId, userId: job.userId, seconds: job.seconds, acceptedAt: job.createdAt, charged: false });
    this.stateOf(job.guildId).lastAccepted.set(job.userId, job.createdAt);
  }

  /** The admitted job will never run (its acknowledgement failed): as if it never was. */
  release(job: Job): void {
    this.ledger.refund(job.guildId, job.id);
  }

  /** The job is accepted (acknowledged and stored): its usage row is written. */
  accepted(job: Job): void {
    this.track(job, true);
    this.o.observer?.accepted(job);
  }

  /** The job ended: charged when delivered, refunded otherwise. */
  ended(job: Job): void {
    if (job.state === 'done') this.ledger.charge(job.guildId, job.id);
    else this.ledger.refund(job.guildId, job.id);
    this.o.observer?.ended(job);
    const row = this.rowOf(job);
    if (!row) return;
    row.state = job.state;
    void this.saveDay(job.guildId, isoDay(job.createdAt));
  }

  /** Applies a moderator's change, persists it, then returns what is now in force. */
  async change(guildId: string, change: AdminChange, by: string): Promise<ChangeResult> {
    // One change at a time per guild: each applies to what the one before it left.
    const previous = this.changing.get(guildId) ?? Promise.resolve();
    const next = previous.then(() => this.applyChange(guildId, change, by), () => this.applyChange(guildId, change, by));
    this.changing.set(guildId, next);
    const forget = () => {
      if (this.changing.get(guildId) === next) this.changing.delete(guildId);
    };
    next.then(forget, forget);
    return next;
  }

  /** What a change would do to what is in force now (no I/O): lets an invalid value be answered at once. */
  preview(guildId: string, change: AdminChange, by: string): ChangeResult {
    return applyAdminChange(this.settingsOf(guildId), change, this.changeContext(by));
  }

  private async applyChange(guildId: string, change: AdminChange, by: string): Promise<ChangeResult> {
    const state = this.stateOf(guildId);
    if (!this.read.has(guildId)) {
      // Not in the guild list at start (a store from before the list's writes were retried): what is stored is the
      // base of the change, never empty settings.
      state.settings = await this.o.records.loadSettings(guildId);
      state.words = createWordMatcher(state.settings.words);
      this.read.add(guildId);
    }
    const result = applyAdminChange(state.settings, change, this.changeContext(by));
    if (!result.ok) return result;
    await this.o.records.saveSettings(guildId, result.settings);
    state.settings = result.settings;
    if (change.kind === 'words-add' || change.kind === 'words-remove') state.words = createWordMatcher(result.settings.words);
    return result;
  }

  private changeContext(by: string) {
    return { now: this.o.clock.now(), by, operator: this.o.operator, models: this.o.models };
  }

  /** A member's name from their recent requests here (the usage chart's legend), if one is known. */
  nameOf(guildId: string, userId: string): string | undefined {
    const days = this.guilds.get(guildId)?.days;
    if (!days) return undefined;
    for (const day of [...days.keys()].sort().reverse()) {
      for (const row of days.get(day)!.values()) if (row.userId === userId && row.userName) return row.userName;
    }
    return undefined;
  }

  /** When the bot was told to forget this member's input in this guild, if ever. */
  forgottenSince(guildId: string, userId: string): number | undefined {
    return this.guilds.get(guildId)?.settings.forgotten?.[userId];
  }

  /**
   * Removes a member's prompts from the guild's usage rows, as far back as job records are kept (`days`), and
   * returns the ids of the jobs found there (whose records the queue then redacts): their own, and other members'
   * copies of their input (Regenerate, Remix). Their seconds stay counted.
   */
  async forgetPrompts(guildId: string, userId: string, days: number): Promise<{ own: string[]; copies: string[] }> {
    const jobIds: string[] = [];
    const copies: string[] = [];
    const state = this.stateOf(guildId);
    for (let i = 0; i < days; i++) {
      const day = isoDay(this.o.clock.now() - i * dayMs);
      const live = state.days.get(day);
      const rows = live ? [...live.values()] : await this.o.records.loadDay(guildId, day);
      let changed = false;
      for (const row of rows) {
        if (row.userId === userId) {
          jobIds.push(row.jobId);
          if (row.prompt === undefined && row.userName === undefined) continue;
          delete row.userName;
        } else if (row.copyOf?.includes(userId)) {
          copies.push(row.jobId);
          if (row.prompt === undefined) continue;
        } else continue;
        delete row.prompt;
        changed = true;
      }
      if (!changed) continue;
      if (live) await this.o.records.saveDay(guildId, day, () => [...live.values()]);
      else await this.o.records.saveDay(guildId, day, () => rows);
    }
    return { own: jobIds, copies };
  }

  /**
   * The usage rows of a period, day by day, oldest first (the per-day index, not every job): a busy month is never
   * held whole. Each call reads again.
   */
  async *rowsByDay(guildId: string, kind: 'day' | 'week' | 'month', at: number): AsyncIterable<readonly UsageRow[]> {
    const period = periodOf(kind, at);
    for (let t = period.start; t < period.end && t <= this.o.clock.now(); t += dayMs) {
      const day = isoDay(t);
      const live = this.guilds.get(guildId)?.days.get(day);
      yield live ? [...live.values()] : await this.o.records.loadDay(guildId, day);
    }
  }

  /** The usage rows of a period at once (see rowsByDay). */
  async rowsOf(guildId: string, kind: 'day' | 'week' | 'month', at: number): Promise<UsageRow[]> {
    const rows: UsageRow[] = [];
    for await (const day of this.rowsByDay(guildId, kind, at)) rows.push(...day);
    return rows;
  }

  private track(job: Job, save: boolean): void {
    const state = this.stateOf(job.guildId);
    const day = isoDay(job.createdAt);
    let rows = state.days.get(day);
    if (!rows) {
      rows = new Map();
      state.days.set(day, rows);
      this.forgetOldDays(state);
    }
    const forgottenOwn = (state.settings.forgotten?.[job.userId] ?? -1) >= job.createdAt || job.forgottenAt !== undefined;
    const forgotten = forgottenOwn || inputOwnersOf(job).some((id) => (state.settings.forgotten?.[id] ?? -1) >= job.createdAt);
    rows.set(job.id, {
      jobId: job.id, acceptedAt: job.createdAt, userId: job.userId, seconds: job.seconds, state: job.state,
      ...(forgotten ? {} : { prompt: job.request.prompt }),
      ...(!forgottenOwn && job.userName ? { userName: job.userName } : {}),
      ...(job.copyOf ? { copyOf: job.copyOf.userIds } : {}),
    });
    if (save) void this.saveDay(job.guildId, day);
  }

  private rowOf(job: Job): UsageRow | undefined {
    return this.guilds.get(job.guildId)?.days.get(isoDay(job.createdAt))?.get(job.id);
  }

  private saveDay(guildId: string, day: string): Promise<void> {
    const rows = () => [...(this.guilds.get(guildId)?.days.get(day)?.values() ?? [])];
    return this.o.records.saveDay(guildId, day, rows).catch((err: unknown) => {
      this.o.log.warn({ err, guildId, day }, 'usage rows not saved; the next change of that day writes them again');
    });
  }

  private forgetOldDays(state: GuildState): void {
    const oldest = isoDay(this.o.clock.now() - (daysKept - 1) * dayMs);
    for (const day of state.days.keys()) if (day < oldest) state.days.delete(day);
    this.ledger.forgetBefore(Date.parse(`${oldest}T00:00:00Z`));
  }

  private stateOf(guildId: string, settings?: GuildSettings): GuildState {
    let state = this.guilds.get(guildId);
    if (!state) {
      const s = settings ?? emptySettings();
      state = { settings: s, words: createWordMatcher(s.words), days: new Map(), lastAccepted: new Map() };
      this.guilds.set(guildId, state);
    }
    return state;
  }
}
