import { periodOf, type PeriodKind } from './period.js';

/**
 * Seconds of video per member and per guild, derived from the jobs themselves: a job's seconds are reserved from
 * its admission, charged once it is delivered, and refunded (dropped) when it fails or is canceled. A job counts
 * in the period it was accepted in. Because every entry is a job, rebuilding the ledger from the job records after
 * a restart gives back exactly what the jobs say: there is no counter that could disagree with them.
 *
 * One writer per guild: the process that owns the guild's queue updates its entries (keyv has no atomic
 * increment, and the ledger lives in that process's memory; see README "How allowances stay exact").
 */
export interface LedgerJob {
  id: string;
  guildId: string;
  userId: string;
  seconds: number;
  /** Acceptance time (epoch ms): decides the period the job counts in. */
  acceptedAt: number;
  charged: boolean;
}

interface Entry {
  userId: string;
  seconds: number;
  acceptedAt: number;
  charged: boolean;
}

export interface Usage {
  /** Seconds reserved by jobs still on their way. */
  reserved: number;
  /** Seconds of delivered videos. */
  charged: number;
}

export class Ledger {
  /** Per guild: job id → entry. Entries older than every period still asked about are dropped by `forgetBefore`. */
  private readonly guilds = new Map<string, Map<string, Entry>>();
  /** Per guild, per member: their job ids (admission asks about one member: it must not walk the whole guild). */
  private readonly members = new Map<string, Map<string, Set<string>>>();

  /** Counts a job's seconds from now on (its admission, or a job rebuilt from its record). */
  reserve(job: LedgerJob): void {
    let entries = this.guilds.get(job.guildId);
    if (!entries) {
      entries = new Map();
      this.guilds.set(job.guildId, entries);
    }
    entries.set(job.id, { userId: job.userId, seconds: job.seconds, acceptedAt: job.acceptedAt, charged: job.charged });
    let byMember = this.members.get(job.guildId);
    if (!byMember) {
      byMember = new Map();
      this.members.set(job.guildId, byMember);
    }
    let ids = byMember.get(job.userId);
    if (!ids) {
      ids = new Set();
      byMember.set(job.userId, ids);
    }
    ids.add(job.id);
  }

  /** The video was delivered: its seconds stay counted for good. */
  charge(guildId: string, jobId: string): void {
    const entry = this.guilds.get(guildId)?.get(jobId);
    if (entry) entry.charged = true;
  }

  /** The job failed or was canceled: it costs nothing. */
  refund(guildId: string, jobId: string): void {
    this.drop(guildId, jobId);
  }

  /** A member's seconds in the period `at` falls in, counting only jobs accepted at or after `since`. */
  memberUsage(guildId: string, userId: string, kind: PeriodKind, at: number, since = 0): Usage {
    const entries = this.guilds.get(guildId);
    const ids = this.members.get(guildId)?.get(userId);
    const { start, end } = periodOf(kind, at);
    const usage: Usage = { reserved: 0, charged: 0 };
    for (const id of ids ?? []) {
      const entry = entries?.get(id);
      if (entry && entry.acceptedAt >= Math.max(start, since) && entry.acceptedAt < end) add(usage, entry);
    }
    return usage;
  }

  guildUsage(guildId: string, kind: PeriodKind, at: number): Usage {
    const { start, end } = periodOf(kind, at);
    const usage: Usage = { reserved: 0, charged: 0 };
    for (const entry of this.guilds.get(guildId)?.values() ?? []) {
      if (entry.acceptedAt >= start && entry.acceptedAt < end) add(usage, entry);
    }
    return usage;
  }

  /** Drops entries accepted before `cutoff` (older periods no admission asks about any more). */
  forgetBefore(cutoff: number): void {
    for (const [guildId, entries] of this.guilds) {
      for (const [jobId, entry] of entries) if (entry.acceptedAt < cutoff) this.drop(guildId, jobId);
    }
  }

  private drop(guildId: string, jobId: string): void {
    const entries = this.guilds.get(guildId);
    const entry = entries?.get(jobId);
    if (!entries || !entry) return;
    entries.delete(jobId);
    if (entries.size === 0) this.guilds.delete(guildId);
    const byMember = this.members.get(guildId);
    const ids = byMember?.get(entry.userId);
    ids?.delete(jobId);
    if (ids?.size === 0) byMember!.delete(entry.userId);
    if (byMember?.size === 0) this.members.delete(guildId);
  }
}

function add(usage: Usage, entry: Entry): void {
  if (entry.charged) usage.charged += entry.seconds;
  else usage.reserved += entry.seconds;
}

export function totalSeconds(usage: Usage): number {
  return usage.reserved + usage.charged;
}
