/**
 * Which allowance applies to a member, in seconds of video per period. A 10 s video costs twice a 5 s one.
 * - A per-member override replaces everything else (it may be lower than the rest).
 * - Otherwise the highest of the guild default and the allowances of the member's roles.
 * - One-off grants add seconds to the member's current period on top of whichever applies.
 * An allowance is a number of seconds (0 = may not generate) or unlimited.
 */
export type Allowance = number | 'unlimited';

export interface AllowanceRules {
  defaultSeconds: Allowance;
  /** Per role id. */
  roles: Readonly<Record<string, Allowance>>;
  /** Per member id: replaces the default and the roles. */
  members: Readonly<Record<string, Allowance>>;
}

export function resolveAllowance(rules: AllowanceRules, userId: string, roleIds: readonly string[]): Allowance {
  const override = rules.members[userId];
  if (override !== undefined) return override;
  let best: Allowance = rules.defaultSeconds;
  for (const roleId of roleIds) {
    const role = rules.roles[roleId];
    if (role !== undefined) best = higher(best, role);
  }
  return best;
}

export function higher(a: Allowance, b: Allowance): Allowance {
  if (a === 'unlimited' || b === 'unlimited') return 'unlimited';
  return Math.max(a, b);
}

/** The allowance plus this period's grants. */
export function withGrants(allowance: Allowance, grantedSeconds: number): Allowance {
  return allowance === 'unlimited' ? 'unlimited' : allowance + grantedSeconds;
}

/** Seconds still available; Infinity when unlimited. Never negative. */
export function secondsLeft(allowance: Allowance, usedSeconds: number): number {
  return allowance === 'unlimited' ? Number.POSITIVE_INFINITY : Math.max(0, allowance - usedSeconds);
}

export function describeAllowance(allowance: Allowance): string {
  return allowance === 'unlimited' ? 'unlimited' : `${allowance} s`;
}
