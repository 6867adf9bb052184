import type { Job } from './job.js';

/**
 * Jobs admitted but not yet in the scheduler (the acknowledgement and the image download are in between).
 * They count against the limits so that hundreds of admits arriving at once cannot overshoot them.
 */
export class Reservations {
  private readonly jobs = new Map<string, Job>();
  private readonly perGuild = new Map<string, number>();
  private readonly perMember = new Map<string, number>();

  add(job: Job): void {
    if (this.jobs.has(job.id)) return;
    this.jobs.set(job.id, job);
    bump(this.perGuild, job.guildId, 1);
    bump(this.perMember, memberKey(job.guildId, job.userId), 1);
  }

  /** Returns false when the job was not reserved. */
  release(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job) return false;
    this.jobs.delete(jobId);
    bump(this.perGuild, job.guildId, -1);
    bump(this.perMember, memberKey(job.guildId, job.userId), -1);
    return true;
  }

  get(jobId: string): Job | undefined {
    return this.jobs.get(jobId);
  }

  guildCount(guildId: string): number {
    return this.perGuild.get(guildId) ?? 0;
  }

  memberCount(guildId: string, userId: string): number {
    return this.perMember.get(memberKey(guildId, userId)) ?? 0;
  }

  get size(): number {
    return this.jobs.size;
  }
}

function memberKey(guildId: string, userId: string): string {
  return `${guildId}\u0000${userId}`;
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
