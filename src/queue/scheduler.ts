/**
 * The fair scheduler: pure bookkeeping of who waits and who runs (no I/O, no clock).
 *
 * Fairness inside a guild is round robin by member, made deterministic with rounds: a member's k-th waiting job
 * sits in round k (counted from the guild's current round), and jobs run in (round, seq) order. A1, A2, B1 thus
 * run A1, B1, A2. The waiting order is a pure function of the entries' (round, seq), so re-enqueueing persisted
 * entries (with their rounds) gives the same order back after a restart. Across guilds, the guild served least
 * recently goes first whenever the process-wide cap binds (a guild that just started a job waits its turn even
 * if its next job arrived before another guild's).
 *
 * Round robin lets every newcomer go ahead of a member's second job; with newcomers arriving without end that job
 * would wait without end. So a waiting entry can be overtaken at most `maxOvertakes` times: once it has been, every
 * later arrival joins its round or a later one (behind it, by seq). The bound holds within one process; after a
 * restart the persisted rounds keep the order and the count starts again.
 */
export interface QueueEntry {
  jobId: string;
  guildId: string;
  userId: string;
  /** Acceptance order: breaks ties inside a round. */
  seq: number;
  /** Fair-queue round; absent for a fresh entry (the scheduler assigns it), present when recovering. */
  round?: number;
}

export type ScheduledEntry = QueueEntry & { round: number };

export interface SchedulerLimits {
  /** Jobs running at once in the whole process. */
  maxConcurrent: number;
  /** Jobs running at once in one guild. */
  guildConcurrency: number;
  /** Newcomers that may go ahead of one waiting job (default 10). */
  maxOvertakes?: number;
  /** A guild's own concurrency when its moderators lowered it (never above `guildConcurrency`). */
  concurrencyOf?: (guildId: string) => number;
  /**
   * The account-wide cap's answer, read at every start: false while no prediction slot is free (the slots are
   * shared with other processes and taken in the background, so this capacity changes under the scheduler).
   */
  canStart?: () => boolean;
}

interface GuildLine {
  guildId: string;
  /** Waiting entries sorted by (round, seq). */
  waiting: ScheduledEntry[];
  running: number;
  /** Round of the entry this guild started last: fresh members join here. */
  currentRound: number;
  /** Per member: the round of their latest pending entry, and how many are pending (waiting + running). */
  members: Map<string, { lastRound: number; pending: number }>;
  /** Tick of the last start in this guild; -1 when none yet. */
  lastServed: number;
  /** Lowest round a new arrival may join: the round of the latest entry overtaken `maxOvertakes` times. */
  floorRound: number;
}

function before(a: ScheduledEntry, b: ScheduledEntry): boolean {
  return a.round < b.round || (a.round === b.round && a.seq < b.seq);
}

export class Scheduler {
  private readonly guilds = new Map<string, GuildLine>();
  /**
   * The guilds in the order `next` considers them: never served yet (in arrival order), then served least recently
   * first. A start moves its guild to the end, so the first eligible guild is found without comparing them all.
   */
  private readonly neverServed = new Map<string, GuildLine>();
  private readonly byLastServed = new Map<string, GuildLine>();
  private ticks = 0;
  private readonly waitingById = new Map<string, ScheduledEntry>();
  private readonly runningById = new Map<string, ScheduledEntry>();
  /** How often each waiting entry was overtaken by a later arrival. */
  private readonly overtaken = new Map<string, number>();
  private readonly maxOvertakes: number;

  constructor(private readonly limits: SchedulerLimits) {
    if (!(limits.maxConcurrent >= 1) || !(limits.guildConcurrency >= 1)) {
      throw new RangeError('scheduler limits must be at least 1');
    }
    this.maxOvertakes = limits.maxOvertakes ?? 10;
  }

  /** Adds a waiting entry and returns it with its round. */
  enqueue(entry: QueueEntry): ScheduledEntry {
    this.assertUnknown(entry.jobId);
    const line = this.line(entry.guildId);
    const member = line.members.get(entry.userId);
    const fresh = Math.max(line.currentRound, line.floorRound, member ? member.lastRound + 1 : 0);
    const scheduled: ScheduledEntry = { ...entry, round: entry.round ?? fresh };
    this.track(line, scheduled);
    let at = line.waiting.length;
    while (at > 0 && before(scheduled, line.waiting[at - 1]!)) at--;
    line.waiting.splice(at, 0, scheduled);
    this.waitingById.set(scheduled.jobId, scheduled);
    // A recovered entry takes back its old place; only a new arrival counts as overtaking.
    if (entry.round === undefined) {
      for (let i = at + 1; i < line.waiting.length; i++) {
        const behind = line.waiting[i]!;
        const times = (this.overtaken.get(behind.jobId) ?? 0) + 1;
        this.overtaken.set(behind.jobId, times);
        if (times >= this.maxOvertakes) line.floorRound = Math.max(line.floorRound, behind.round);
      }
    }
    return scheduled;
  }

  /** Takes a waiting entry out (canceled or failed before it ran). Returns false when it was not waiting. */
  remove(jobId: string): boolean {
    const entry = this.waitingById.get(jobId);
    if (!entry) return false;
    const line = this.line(entry.guildId);
    line.waiting.splice(line.waiting.indexOf(entry), 1);
    this.waitingById.delete(jobId);
    this.overtaken.delete(jobId);
    this.untrack(line, entry);
    return true;
  }

  /** Picks the next entry to run, honouring both caps and both kinds of fairness, and counts it as running. */
  next(): ScheduledEntry | undefined {
    if (this.runningById.size >= this.limits.maxConcurrent || this.limits.canStart?.() === false) return undefined;
    const chosen = this.firstEligible(this.neverServed) ?? this.firstEligible(this.byLastServed);
    const entry = chosen?.waiting.shift();
    if (!chosen || !entry) return undefined;
    this.waitingById.delete(entry.jobId);
    this.overtaken.delete(entry.jobId);
    this.startRunning(chosen, entry);
    chosen.lastServed = this.ticks++;
    this.neverServed.delete(chosen.guildId);
    this.byLastServed.delete(chosen.guildId);
    this.byLastServed.set(chosen.guildId, chosen);
    return entry;
  }

  /** Counts an entry that is already running (recovered at start-up); it may exceed the caps for a while. */
  markRunning(entry: QueueEntry): ScheduledEntry {
    this.assertUnknown(entry.jobId);
    const line = this.line(entry.guildId);
    const scheduled: ScheduledEntry = { ...entry, round: entry.round ?? line.currentRound };
    this.track(line, scheduled);
    this.startRunning(line, scheduled);
    return scheduled;
  }

  /** Frees a running slot. Returns false when the job was not running. */
  finish(jobId: string): boolean {
    const entry = this.runningById.get(jobId);
    if (!entry) return false;
    this.runningById.delete(jobId);
    const line = this.line(entry.guildId);
    line.running--;
    this.untrack(line, entry);
    return true;
  }

  /** Waiting jobs that could start now if the process-wide cap allowed (each guild's own concurrency applies). */
  readyCount(): number {
    let ready = 0;
    for (const line of this.guilds.values()) ready += Math.min(line.waiting.length, Math.max(0, this.concurrencyOf(line) - line.running));
    return Math.min(ready, Math.max(0, this.limits.maxConcurrent - this.runningById.size));
  }

  /** 1-based place among the guild's waiting jobs, in the order they will run. */
  position(jobId: string): number | undefined {
    const entry = this.waitingById.get(jobId);
    if (!entry) return undefined;
    return this.line(entry.guildId).waiting.indexOf(entry) + 1;
  }

  /** The guild's waiting job ids in the order they will run. */
  waitingIds(guildId: string): string[] {
    return (this.guilds.get(guildId)?.waiting ?? []).map((e) => e.jobId);
  }

  /** Ids of the jobs running in one guild (a walk over the running ones: at most the process-wide cap). */
  runningIds(guildId: string): string[] {
    return [...this.runningById.values()].filter((e) => e.guildId === guildId).map((e) => e.jobId);
  }

  isWaiting(jobId: string): boolean {
    return this.waitingById.has(jobId);
  }

  isRunning(jobId: string): boolean {
    return this.runningById.has(jobId);
  }

  waitingCount(guildId: string): number {
    return this.guilds.get(guildId)?.waiting.length ?? 0;
  }

  waitingTotal(): number {
    return this.waitingById.size;
  }

  /** Waiting + running jobs of one member in one guild. */
  pendingCount(guildId: string, userId: string): number {
    return this.guilds.get(guildId)?.members.get(userId)?.pending ?? 0;
  }

  runningCount(guildId?: string): number {
    if (guildId === undefined) return this.runningById.size;
    return this.guilds.get(guildId)?.running ?? 0;
  }

  private firstEligible(lines: Map<string, GuildLine>): GuildLine | undefined {
    for (const line of lines.values()) {
      if (line.waiting.length > 0 && line.running < this.concurrencyOf(line)) return line;
    }
    return undefined;
  }

  private concurrencyOf(line: GuildLine): number {
    const own = this.limits.concurrencyOf?.(line.guildId);
    return own === undefined ? this.limits.guildConcurrency : Math.max(1, Math.min(own, this.limits.guildConcurrency));
  }

  private startRunning(line: GuildLine, entry: ScheduledEntry): void {
    this.runningById.set(entry.jobId, entry);
    line.running++;
    line.currentRound = Math.max(line.currentRound, entry.round);
  }

  private track(line: GuildLine, entry: ScheduledEntry): void {
    const member = line.members.get(entry.userId);
    if (member) {
      member.pending++;
      member.lastRound = Math.max(member.lastRound, entry.round);
    } else {
      line.members.set(entry.userId, { lastRound: entry.round, pending: 1 });
    }
  }

  /** Forgets idle members and guilds so memory stays bounded by pending work. */
  private untrack(line: GuildLine, entry: ScheduledEntry): void {
    const member = line.members.get(entry.userId);
    if (member && --member.pending <= 0) line.members.delete(entry.userId);
    if (line.waiting.length === 0 && line.running === 0) {
      this.guilds.delete(entry.guildId);
      this.neverServed.delete(entry.guildId);
      this.byLastServed.delete(entry.guildId);
    }
  }

  private line(guildId: string): GuildLine {
    let line = this.guilds.get(guildId);
    if (!line) {
      line = { guildId, waiting: [], running: 0, currentRound: 0, members: new Map(), lastServed: -1, floorRound: 0 };
      this.guilds.set(guildId, line);
      this.neverServed.set(guildId, line);
    }
    return line;
  }

  private assertUnknown(jobId: string): void {
    if (this.waitingById.has(jobId) || this.runningById.has(jobId)) {
      throw new Error(`job ${jobId} is already scheduled`);
    }
  }
}
