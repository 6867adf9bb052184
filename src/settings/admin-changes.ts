import { describeAllowance, type Allowance } from '../quota/allowance.js';
import { periodOf } from '../quota/period.js';
import { cleanBlockedWord } from '../moderation/blocked-words.js';
import { effectivePolicy, type GuildSettings, type OperatorPolicy } from './guild-settings.js';
import { applyModelChange, type ModelCatalogue, type ModelChange } from './model-settings.js';

/** A change a moderator asks for with /video-admin (read from the interaction by commands/video-admin.ts). */
export type AdminChange =
  | { kind: 'quota-default'; allowance: Allowance; period?: 'day' | 'week' }
  | { kind: 'quota-role'; roleId: string; allowance: Allowance }
  | { kind: 'quota-member'; userId: string; allowance: Allowance }
  | { kind: 'quota-clear'; targetId: string; targetKind: 'role' | 'member' }
  | { kind: 'quota-grant'; userId: string; seconds: number }
  | { kind: 'quota-reset'; userId: string }
  | { kind: 'quota-budget'; seconds: number }
  | { kind: 'limits'; concurrency?: number; queue?: number; pending?: number; cooldown?: number; allow10s?: boolean }
  | { kind: 'access-channel'; channelId: string; allowed: boolean }
  | { kind: 'access-role'; roleId: string; allowed: boolean }
  | { kind: 'access-block'; userId: string; reason?: string }
  | { kind: 'access-unblock'; userId: string }
  | { kind: 'words-add'; word: string }
  | { kind: 'words-remove'; word: string }
  | { kind: 'modlog'; channelId?: string }
  | { kind: 'pause'; reason?: string }
  | { kind: 'resume' }
  | { kind: 'forget'; userId: string }
  | ModelChange;

export type ChangeResult =
  | { ok: true; settings: GuildSettings; changes: string[] }
  | { ok: false; error: string };

export interface ChangeContext {
  now: number;
  /** The moderator's user id. */
  by: string;
  operator: OperatorPolicy;
  /** The operator's models (the model registry); without it, models changes are refused. */
  models?: ModelCatalogue | undefined;
}

const role = (id: string) => `<@&${id}>`;
const member = (id: string) => `<@${id}>`;
const channel = (id: string) => `<#${id}>`;
const allowanceText = (a: Allowance | undefined, fallback: string) => (a === undefined ? fallback : describeAllowance(a));

/**
 * Applies one change to a copy of the settings. Returns what changed, from what to what (for the answer and the
 * mod-log), or a short error naming the option and its valid range; nothing changes on an error.
 */
export function applyAdminChange(current: GuildSettings, change: AdminChange, ctx: ChangeContext): ChangeResult {
  const s: GuildSettings = structuredClone(current);
  const policy = effectivePolicy(current, ctx.operator);
  const changes: string[] = [];
  const note = (what: string, from: string, to: string) => {
    if (from !== to) changes.push(`${what}: ${from} → ${to}`);
  };
  const periodKey = periodOf(policy.period, ctx.now).key;

  switch (change.kind) {
    case 'quota-default': {
      note('default allowance', describeAllowance(policy.defaultSeconds), describeAllowance(change.allowance));
      s.quota.defaultSeconds = change.allowance;
      if (change.period) {
        note('period', policy.period, change.period);
        s.quota.period = change.period;
      }
      break;
    }
    case 'quota-role':
      note(`allowance of ${role(change.roleId)}`, allowanceText(s.quota.roles[change.roleId], 'none'), describeAllowance(change.allowance));
      s.quota.roles[change.roleId] = change.allowance;
      break;
    case 'quota-member':
      note(`allowance of ${member(change.userId)}`, allowanceText(s.quota.members[change.userId], 'none'), describeAllowance(change.allowance));
      s.quota.members[change.userId] = change.allowance;
      break;
    case 'quota-clear': {
      const table = change.targetKind === 'role' ? s.quota.roles : s.quota.members;
      const name = change.targetKind === 'role' ? role(change.targetId) : member(change.targetId);
      if (table[change.targetId] === undefined) return { ok: false, error: `${name} has no allowance of its own to clear.` };
      note(`allowance of ${name}`, describeAllowance(table[change.targetId]!), 'none');
      delete table[change.targetId];
      break;
    }
    case 'quota-grant': {
      if (!(Number.isInteger(change.seconds) && change.seconds >= 1 && change.seconds <= 100_000)) {
        return { ok: false, error: '`seconds` must be a whole number from 1 to 100000.' };
      }
      if (s.grants.period !== periodKey) s.grants = { period: periodKey, seconds: {} };
      const before = s.grants.seconds[change.userId] ?? 0;
      s.grants.seconds[change.userId] = before + change.seconds;
      note(`extra seconds for ${member(change.userId)} this period`, `${before} s`, `${before + change.seconds} s`);
      break;
    }
    case 'quota-reset':
      if (s.resets.period !== periodKey) s.resets = { period: periodKey, at: {} };
      s.resets.at[change.userId] = ctx.now;
      changes.push(`usage of ${member(change.userId)} this period: reset to 0 s (grants kept)`);
      break;
    case 'quota-budget': {
      if (!(Number.isInteger(change.seconds) && change.seconds >= 0)) return { ok: false, error: '`seconds` must be a whole number, 0 or more (0 = no budget).' };
      const text = (v: number | undefined) => (v ? `${v} s per ${policy.period}` : 'no budget');
      note('server budget', text(s.quota.budgetSeconds), text(change.seconds));
      if (change.seconds === 0) delete s.quota.budgetSeconds;
      else s.quota.budgetSeconds = change.seconds;
      break;
    }
    case 'limits': {
      const caps = ctx.operator.caps;
      const checks: [keyof typeof caps, number | undefined, 'concurrency' | 'queue' | 'pending'][] = [
        ['concurrency', change.concurrency, 'concurrency'],
        ['queue', change.queue, 'queue'],
        ['pending', change.pending, 'pending'],
      ];
      for (const [cap, value, option] of checks) {
        if (value === undefined) continue;
        if (!Number.isInteger(value) || value < 1) return { ok: false, error: `\`${option}\` must be a whole number, 1 or more.` };
        if (value > caps[cap]) return { ok: false, error: `\`${option}\` can be at most ${caps[cap]} (the bot operator's cap).` };
      }
      if (change.cooldown !== undefined && !(Number.isInteger(change.cooldown) && change.cooldown >= 0 && change.cooldown <= 86_400)) {
        return { ok: false, error: '`cooldown` must be a whole number of seconds from 0 to 86400.' };
      }
      if (change.concurrency !== undefined) {
        note('videos made at once', String(policy.concurrency), String(change.concurrency));
        s.limits.concurrency = change.concurrency;
      }
      if (change.queue !== undefined) {
        note('waiting line', String(policy.queue), String(change.queue));
        s.limits.queue = change.queue;
      }
      if (change.pending !== undefined) {
        note('videos per member at once', String(policy.pending), String(change.pending));
        s.limits.pending = change.pending;
      }
      if (change.cooldown !== undefined) {
        note('cooldown', `${policy.cooldownSeconds} s`, `${change.cooldown} s`);
        s.limits.cooldownSeconds = change.cooldown;
      }
      if (change.allow10s !== undefined) {
        note('10-second videos', policy.allow10s ? 'allowed' : 'not allowed', change.allow10s ? 'allowed' : 'not allowed');
        s.limits.allow10s = change.allow10s;
      }
      if (changes.length === 0 && Object.keys(change).length === 1) {
        return { ok: false, error: 'Give at least one of `concurrency`, `queue`, `pending`, `cooldown`, `allow_10s`.' };
      }
      break;
    }
    case 'access-channel':
      toggle(s.access.channels, change.channelId, change.allowed, channel, 'allowed channels', changes);
      break;
    case 'access-role':
      toggle(s.access.roles, change.roleId, change.allowed, role, 'allowed roles', changes);
      break;
    case 'access-block': {
      const reason = change.reason?.trim().slice(0, 200);
      s.access.blocked[change.userId] = { ...(reason ? { reason } : {}), at: ctx.now, by: ctx.by };
      changes.push(`${member(change.userId)}: blocked${reason ? ` (${reason})` : ''}`);
      break;
    }
    case 'access-unblock':
      if (!s.access.blocked[change.userId]) return { ok: false, error: `${member(change.userId)} is not blocked.` };
      delete s.access.blocked[change.userId];
      changes.push(`${member(change.userId)}: unblocked`);
      break;
    case 'words-add': {
      const word = cleanBlockedWord(change.word);
      if (!word) return { ok: false, error: '`word` must be 1 to 64 characters with at least one letter or digit.' };
      if (s.words.some((w) => w.toLocaleLowerCase('und') === word.toLocaleLowerCase('und'))) {
        return { ok: false, error: `“${word}” is already blocked.` };
      }
      if (s.words.length >= 500) return { ok: false, error: 'At most 500 blocked words: remove some first.' };
      s.words.push(word);
      changes.push(`blocked words: ${s.words.length - 1} → ${s.words.length} (added “${word}”)`);
      break;
    }
    case 'words-remove': {
      const word = cleanBlockedWord(change.word) ?? change.word.trim();
      const at = s.words.findIndex((w) => w.toLocaleLowerCase('und') === word.toLocaleLowerCase('und'));
      if (at < 0) return { ok: false, error: `“${word}” is not in the list.` };
      const [removed] = s.words.splice(at, 1);
      changes.push(`blocked words: ${s.words.length + 1} → ${s.words.length} (removed “${removed}”)`);
      break;
    }
    case 'modlog':
      note('mod-log', s.modlogChannelId ? channel(s.modlogChannelId) : 'off', change.channelId ? channel(change.channelId) : 'off');
      if (change.channelId) s.modlogChannelId = change.channelId;
      else delete s.modlogChannelId;
      break;
    case 'pause': {
      const reason = change.reason?.trim().slice(0, 200);
      s.paused = { ...(reason ? { reason } : {}), at: ctx.now, by: ctx.by };
      changes.push(`new requests: accepted → paused${reason ? ` (${reason})` : ''}`);
      break;
    }
    case 'resume':
      if (!s.paused) return { ok: false, error: 'Video making is not paused.' };
      delete s.paused;
      changes.push('new requests: paused → accepted');
      break;
    case 'forget':
      s.forgotten[change.userId] = ctx.now;
      changes.push(`${member(change.userId)}: stored prompts and images deleted (their seconds stay counted)`);
      break;
    case 'models-allow':
    case 'models-deny':
    case 'models-default': {
      if (!ctx.models) return { ok: false, error: 'Models cannot be changed in this version of the bot.' };
      const result = applyModelChange(s.models, change, ctx.models);
      if ('error' in result) return { ok: false, error: result.error };
      changes.push(...result.changes);
      break;
    }
  }
  return { ok: true, settings: s, changes: changes.length ? changes : ['nothing changed (already so)'] };
}

function toggle(list: string[], id: string, allowed: boolean, name: (id: string) => string, what: string, changes: string[]): void {
  const before = list.length ? list.map(name).join(', ') : 'all';
  const at = list.indexOf(id);
  if (allowed && at < 0) list.push(id);
  if (!allowed && at >= 0) list.splice(at, 1);
  const after = list.length ? list.map(name).join(', ') : 'all';
  if (before !== after) changes.push(`${what}: ${before} → ${after}`);
}
