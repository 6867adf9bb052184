import { describe, expect, it } from 'vitest';
import { applyAdminChange, type AdminChange, type ChangeResult } from '../../src/settings/admin-changes.js';
import { emptySettings, type GuildSettings, type OperatorPolicy } from '../../src/settings/guild-settings.js';

const operator: OperatorPolicy = { quotaDefaultSeconds: 60, quotaPeriod: 'day', pricePerSecondUsd: 0.05, caps: { concurrency: 2, queue: 20, pending: 2 } };
const ctx = { now: Date.UTC(2026, 11, 1, 10), by: 'mod', operator };

function apply(change: AdminChange, settings: GuildSettings = emptySettings()): Extract<ChangeResult, { ok: true }> {
  const result = applyAdminChange(settings, change, ctx);
  if (!result.ok) throw new Error(result.error);
  return result;
}
function refuse(change: AdminChange, settings: GuildSettings = emptySettings()): string {
  const result = applyAdminChange(settings, change, ctx);
  if (result.ok) throw new Error('expected a refusal');
  return result.error;
}

describe('moderators’ changes', () => {
  it('sets the default allowance and period, saying from what to what', () => {
    const r = apply({ kind: 'quota-default', allowance: 120, period: 'week' });
    expect(r.settings.quota).toMatchObject({ defaultSeconds: 120, period: 'week' });
    expect(r.changes).toEqual(['default allowance: 60 s → 120 s', 'period: day → week']);
    expect(apply({ kind: 'quota-default', allowance: 'unlimited' }).changes).toEqual(['default allowance: 60 s → unlimited']);
  });

  it('sets and clears per-role and per-member allowances', () => {
    const withRole = apply({ kind: 'quota-role', roleId: 'r1', allowance: 300 }).settings;
    expect(withRole.quota.roles).toEqual({ r1: 300 });
    const cleared = apply({ kind: 'quota-clear', targetId: 'r1', targetKind: 'role' }, withRole);
    expect(cleared.settings.quota.roles).toEqual({});
    expect(cleared.changes).toEqual(['allowance of <@&r1>: 300 s → none']);
    expect(refuse({ kind: 'quota-clear', targetId: 'u9', targetKind: 'member' })).toBe('<@u9> has no allowance of its own to clear.');
  });

  it('adds grants within the current period and starts over in a new one', () => {
    const once = apply({ kind: 'quota-grant', userId: 'u1', seconds: 10 }).settings;
    const twice = apply({ kind: 'quota-grant', userId: 'u1', seconds: 5 }, once);
    expect(twice.settings.grants).toEqual({ period: 'day:2026-12-01', seconds: { u1: 15 } });
    expect(twice.changes).toEqual(['extra seconds for <@u1> this period: 10 s → 15 s']);
    const stale = { ...once, grants: { period: 'day:2026-11-30', seconds: { u1: 99 } } };
    expect(apply({ kind: 'quota-grant', userId: 'u1', seconds: 5 }, stale).settings.grants.seconds).toEqual({ u1: 5 });
    expect(refuse({ kind: 'quota-grant', userId: 'u1', seconds: 0 })).toBe('`seconds` must be a whole number from 1 to 100000.');
  });

  it('resets a member’s usage and keeps their grants', () => {
    const granted = apply({ kind: 'quota-grant', userId: 'u1', seconds: 10 }).settings;
    const reset = apply({ kind: 'quota-reset', userId: 'u1' }, granted).settings;
    expect(reset.resets).toEqual({ period: 'day:2026-12-01', at: { u1: ctx.now } });
    expect(reset.grants.seconds.u1).toBe(10);
  });

  it('sets a budget, and 0 removes it', () => {
    const set = apply({ kind: 'quota-budget', seconds: 600 });
    expect(set.changes).toEqual(['server budget: no budget → 600 s per day']);
    expect(apply({ kind: 'quota-budget', seconds: 0 }, set.settings).settings.quota.budgetSeconds).toBeUndefined();
  });

  it('lowers limits within the operator’s caps and refuses one over a cap, naming it', () => {
    const r = apply({ kind: 'limits', concurrency: 1, cooldown: 30, allow10s: false });
    expect(r.settings.limits).toEqual({ concurrency: 1, cooldownSeconds: 30, allow10s: false });
    expect(r.changes).toEqual(['videos made at once: 2 → 1', 'cooldown: 0 s → 30 s', '10-second videos: allowed → not allowed']);
    expect(refuse({ kind: 'limits', queue: 21 })).toBe("`queue` can be at most 20 (the bot operator's cap).");
    expect(refuse({ kind: 'limits', pending: 0 })).toBe('`pending` must be a whole number, 1 or more.');
    expect(refuse({ kind: 'limits' })).toMatch(/^Give at least one of/);
  });

  it('allows channels and roles one by one, and none listed means all', () => {
    const one = apply({ kind: 'access-channel', channelId: 'c1', allowed: true });
    expect(one.changes).toEqual(['allowed channels: all → <#c1>']);
    const none = apply({ kind: 'access-channel', channelId: 'c1', allowed: false }, one.settings);
    expect(none.settings.access.channels).toEqual([]);
    expect(none.changes).toEqual(['allowed channels: <#c1> → all']);
    expect(apply({ kind: 'access-role', roleId: 'r1', allowed: true }).settings.access.roles).toEqual(['r1']);
  });

  it('blocks and unblocks a member, with the reason and who did it', () => {
    const blocked = apply({ kind: 'access-block', userId: 'u1', reason: 'spam' });
    expect(blocked.settings.access.blocked.u1).toEqual({ reason: 'spam', at: ctx.now, by: 'mod' });
    expect(apply({ kind: 'access-unblock', userId: 'u1' }, blocked.settings).settings.access.blocked).toEqual({});
    expect(refuse({ kind: 'access-unblock', userId: 'u2' })).toBe('<@u2> is not blocked.');
  });

  it('adds and removes blocked words, whatever their case, and refuses duplicates and non-words', () => {
    const added = apply({ kind: 'words-add', word: '  Gore ' }).settings;
    expect(added.words).toEqual(['Gore']);
    expect(refuse({ kind: 'words-add', word: 'gore' }, added)).toBe('“gore” is already blocked.');
    expect(refuse({ kind: 'words-add', word: '!!!' })).toMatch(/^`word` must be/);
    expect(apply({ kind: 'words-remove', word: 'GORE' }, added).settings.words).toEqual([]);
    expect(refuse({ kind: 'words-remove', word: 'cat' })).toBe('“cat” is not in the list.');
  });

  it('sets and turns off the mod-log, pauses and resumes', () => {
    const on = apply({ kind: 'modlog', channelId: 'c9' });
    expect(on.changes).toEqual(['mod-log: off → <#c9>']);
    expect(apply({ kind: 'modlog' }, on.settings).settings.modlogChannelId).toBeUndefined();
    const paused = apply({ kind: 'pause', reason: 'maintenance' });
    expect(paused.settings.paused).toEqual({ reason: 'maintenance', at: ctx.now, by: 'mod' });
    expect(apply({ kind: 'resume' }, paused.settings).settings.paused).toBeUndefined();
    expect(refuse({ kind: 'resume' })).toBe('Video making is not paused.');
  });

  it('never changes the settings it was given', () => {
    const before = emptySettings();
    const snapshot = JSON.stringify(before);
    apply({ kind: 'quota-role', roleId: 'r1', allowance: 5 }, before);
    apply({ kind: 'words-add', word: 'x1' }, before);
    expect(JSON.stringify(before)).toBe(snapshot);
  });
});
