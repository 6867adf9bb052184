import type { Allowance } from '../quota/allowance.js';
import type { PeriodKind } from '../quota/period.js';
import { emptyModelSettings, type ModelSettings } from './model-settings.js';

/**
 * What a guild's moderators decided with /video-admin. Stored as plain JSON, one record per guild, written only by
 * the process that owns the guild. Absent fields mean "the operator's default".
 */
export interface GuildSettings {
  quota: {
    defaultSeconds?: Allowance;
    period?: Extract<PeriodKind, 'day' | 'week'>;
    roles: Record<string, Allowance>;
    members: Record<string, Allowance>;
    /** Seconds per period for the whole server; absent or 0 = no budget. */
    budgetSeconds?: number;
  };
  /** One-off extra seconds for the period named by `period` (a period key); stale keys count for nothing. */
  grants: { period: string; seconds: Record<string, number> };
  /** When a member's usage was last reset, for the period named by `period`. */
  resets: { period: string; at: Record<string, number> };
  limits: {
    concurrency?: number;
    queue?: number;
    pending?: number;
    /** Seconds between a member's accepted requests. */
    cooldownSeconds?: number;
    allow10s?: boolean;
  };
  access: {
    /** None = every channel; once any is listed, only those. */
    channels: string[];
    /** None = everyone; once any is listed, only members with one of them. */
    roles: string[];
    blocked: Record<string, { reason?: string; at: number; by: string }>;
  };
  words: string[];
  modlogChannelId?: string;
  paused?: { reason?: string; at: number; by: string };
  /** Members whose input the bot was told to forget, and when: their jobs from before then are redacted. */
  forgotten: Record<string, number>;
  /** Which of the operator's models are allowed here, to whom, and the default (absent in records from before). */
  models: ModelSettings;
}

/** The operator's defaults and caps (environment): a guild can lower the caps, never raise them. */
export interface OperatorPolicy {
  quotaDefaultSeconds: Allowance;
  quotaPeriod: Extract<PeriodKind, 'day' | 'week'>;
  pricePerSecondUsd: number;
  caps: { concurrency: number; queue: number; pending: number };
}

export function emptySettings(): GuildSettings {
  return {
    quota: { roles: {}, members: {} },
    grants: { period: '', seconds: {} },
    resets: { period: '', at: {} },
    limits: {},
    access: { channels: [], roles: [], blocked: {} },
    words: [],
    forgotten: {},
    models: emptyModelSettings(),
  };
}

/** What is in force for a guild: its settings over the operator's defaults, the caps applied. */
export interface EffectivePolicy {
  defaultSeconds: Allowance;
  period: Extract<PeriodKind, 'day' | 'week'>;
  budgetSeconds: number | undefined;
  concurrency: number;
  queue: number;
  pending: number;
  cooldownSeconds: number;
  allow10s: boolean;
}

export function effectivePolicy(settings: GuildSettings, operator: OperatorPolicy): EffectivePolicy {
  const { caps } = operator;
  const capped = (value: number | undefined, cap: number) => Math.min(value ?? cap, cap);
  return {
    defaultSeconds: settings.quota.defaultSeconds ?? operator.quotaDefaultSeconds,
    period: settings.quota.period ?? operator.quotaPeriod,
    budgetSeconds: settings.quota.budgetSeconds ? settings.quota.budgetSeconds : undefined,
    concurrency: capped(settings.limits.concurrency, caps.concurrency),
    queue: capped(settings.limits.queue, caps.queue),
    pending: capped(settings.limits.pending, caps.pending),
    cooldownSeconds: settings.limits.cooldownSeconds ?? 0,
    allow10s: settings.limits.allow10s ?? true,
  };
}

/** This period's grant for a member (0 when the stored grants are of another period). */
export function grantedSeconds(settings: GuildSettings, periodKey: string, userId: string): number {
  return settings.grants.period === periodKey ? (settings.grants.seconds[userId] ?? 0) : 0;
}

/** When the member's usage was reset in this period (0 = never). */
export function resetAt(settings: GuildSettings, periodKey: string, userId: string): number {
  return settings.resets.period === periodKey ? (settings.resets.at[userId] ?? 0) : 0;
}
