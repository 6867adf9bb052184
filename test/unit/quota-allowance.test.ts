import { describe, expect, it } from 'vitest';
import { resolveAllowance, secondsLeft, withGrants, type AllowanceRules } from '../../src/quota/allowance.js';

const rules: AllowanceRules = {
  defaultSeconds: 60,
  roles: { booster: 120, artist: 300, muted: 0, staff: 'unlimited' },
  members: { lowered: 10, trusted: 'unlimited' },
};

describe('allowance resolution', () => {
  it('gives a member with no role and no override the guild default', () => {
    expect(resolveAllowance(rules, 'someone', [])).toBe(60);
    expect(resolveAllowance(rules, 'someone', ['unknown-role'])).toBe(60);
  });

  it('gives the highest of the default and the member’s roles', () => {
    expect(resolveAllowance(rules, 'someone', ['booster'])).toBe(120);
    expect(resolveAllowance(rules, 'someone', ['booster', 'artist'])).toBe(300);
    expect(resolveAllowance(rules, 'someone', ['artist', 'staff'])).toBe('unlimited');
  });

  it('does not let a role of 0 lower the default: the highest applies', () => {
    expect(resolveAllowance(rules, 'someone', ['muted'])).toBe(60);
  });

  it('lets a per-member override replace everything, even when it is lower', () => {
    expect(resolveAllowance(rules, 'lowered', ['staff', 'artist'])).toBe(10);
    expect(resolveAllowance(rules, 'trusted', [])).toBe('unlimited');
    expect(resolveAllowance({ ...rules, members: { banned: 0 } }, 'banned', ['staff'])).toBe(0);
  });

  it('adds grants on top of whichever allowance applies, and counts what is left', () => {
    expect(withGrants(60, 15)).toBe(75);
    expect(withGrants('unlimited', 15)).toBe('unlimited');
    expect(secondsLeft(withGrants(10, 5), 10)).toBe(5);
    expect(secondsLeft(60, 70)).toBe(0);
    expect(secondsLeft('unlimited', 10_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('treats an unlimited default as unlimited for everyone without an override', () => {
    expect(resolveAllowance({ defaultSeconds: 'unlimited', roles: {}, members: { capped: 30 } }, 'x', [])).toBe('unlimited');
    expect(resolveAllowance({ defaultSeconds: 'unlimited', roles: {}, members: { capped: 30 } }, 'capped', [])).toBe(30);
  });
});
