import { resolveAllowance, secondsLeft, withGrants, type Allowance } from '../quota/allowance.js';
import { totalSeconds, type Ledger } from '../quota/ledger.js';
import { periodOf, relativeTime, type Period } from '../quota/period.js';
import { effectivePolicy, grantedSeconds, resetAt, type GuildSettings, type OperatorPolicy } from '../settings/guild-settings.js';
import { createWordMatcher, type WordMatcher } from './blocked-words.js';

/**
 * The moderators' rules, checked for every way of starting a job (slash command, context menu, Regenerate, Remix)
 * before anything is queued. Synchronous and in memory only: it runs before the interaction is acknowledged, so a
 * refusal is ephemeral and within Discord's 3 seconds.
 */
export type GateCode =
  | 'member-blocked'
  | 'channel-not-allowed'
  | 'role-not-allowed'
  | 'paused'
  | 'cooldown'
  | 'ten-seconds-not-allowed'
  | 'blocked-word'
  | 'over-allowance'
  | 'over-budget';

export interface GateRefusal {
  code: GateCode;
  /** What the member reads (ephemeral): may name the blocked word, since only they see it. */
  text: string;
}

export interface GateRequest {
  guildId: string;
  userId: string;
  roleIds: readonly string[];
  channelId: string;
  seconds: number;
  prompt: string;
  negativePrompt?: string | undefined;
  now: number;
}

export interface GateView {
  settings: GuildSettings;
  operator: OperatorPolicy;
  ledger: Ledger;
  /** When the member's last request was accepted in this guild, if ever (the cooldown counts from it). */
  lastAcceptedAt?: number | undefined;
  /** The guild's blocked words, compiled once per change of the list. */
  words?: WordMatcher;
}

const listed = (ids: readonly string[], mention: (id: string) => string, max = 10) =>
  ids.slice(0, max).map(mention).join(', ') + (ids.length > max ? ` and ${ids.length - max} more` : '');

export function checkGate(view: GateView, request: GateRequest): GateRefusal | undefined {
  const { settings } = view;
  const policy = effectivePolicy(settings, view.operator);
  const block = settings.access.blocked[request.userId];
  if (block) {
    return {
      code: 'member-blocked',
      text: block.reason
        ? `A moderator has stopped you from making videos in this server: ${block.reason}`
        : 'A moderator has stopped you from making videos in this server.',
    };
  }
  const channels = settings.access.channels;
  if (channels.length > 0 && !channels.includes(request.channelId)) {
    return { code: 'channel-not-allowed', text: `Videos can't be made in this channel. Try ${listed(channels, (id) => `<#${id}>`)}.` };
  }
  const roles = settings.access.roles;
  if (roles.length > 0 && !roles.some((role) => request.roleIds.includes(role))) {
    return { code: 'role-not-allowed', text: `Making videos here needs one of these roles: ${listed(roles, (id) => `<@&${id}>`)}.` };
  }
  if (settings.paused) {
    return {
      code: 'paused',
      text: settings.paused.reason
        ? `Video making is paused in this server: ${settings.paused.reason}`
        : 'Video making is paused in this server for now.',
    };
  }
  if (policy.cooldownSeconds > 0 && view.lastAcceptedAt !== undefined) {
    const next = view.lastAcceptedAt + policy.cooldownSeconds * 1000;
    if (request.now < next) {
      return { code: 'cooldown', text: `Please wait a little between videos: you can ask again ${relativeTime(next)}.` };
    }
  }
  if (request.seconds > 5 && !policy.allow10s) {
    return { code: 'ten-seconds-not-allowed', text: '10-second videos are not allowed in this server. Please choose 5 seconds.' };
  }
  const words = view.words ?? createWordMatcher(settings.words);
  const word = words.find(request.prompt) ?? (request.negativePrompt ? words.find(request.negativePrompt) : undefined);
  if (word) return { code: 'blocked-word', text: `Your prompt has a word that isn't allowed in this server: “${word}”.` };

  const standing = standingOf(view, request);
  const when = standing.period.kind === 'day' ? 'today' : 'this week';
  if (standing.left < request.seconds) {
    const text =
      standing.allowance === 0
        ? "Your video allowance in this server is 0 seconds, so you can't make videos here. A moderator can change that."
        : `You have ${standing.left} of ${String(standing.allowance)} seconds left ${when}; this video needs ${request.seconds}. Resets ${relativeTime(standing.period.end)}.`;
    return { code: 'over-allowance', text };
  }
  if (standing.budget && standing.budget.left < request.seconds) {
    const { left, seconds } = standing.budget;
    return {
      code: 'over-budget',
      text: `This server's video budget ${when} is used up (${left} of ${seconds} seconds left; this video needs ${request.seconds}). It resets ${relativeTime(standing.period.end)}.`,
    };
  }
  return undefined;
}

/** A member's seconds this period, as admission counts them (what /usage shows). */
export interface Standing {
  period: Period;
  /** The allowance in force, grants included. */
  allowance: Allowance;
  /** Seconds reserved or charged this period (since the last reset). */
  used: number;
  /** Seconds still available (Infinity when unlimited). */
  left: number;
  /** The server's budget this period, when it has one. */
  budget?: { seconds: number; used: number; left: number };
}

export function standingOf(view: GateView, who: Pick<GateRequest, 'guildId' | 'userId' | 'roleIds' | 'now'>): Standing {
  const { settings } = view;
  const policy = effectivePolicy(settings, view.operator);
  const period = periodOf(policy.period, who.now);
  const allowance = withGrants(
    resolveAllowance({ defaultSeconds: policy.defaultSeconds, roles: settings.quota.roles, members: settings.quota.members }, who.userId, who.roleIds),
    grantedSeconds(settings, period.key, who.userId),
  );
  const used = totalSeconds(view.ledger.memberUsage(who.guildId, who.userId, policy.period, who.now, resetAt(settings, period.key, who.userId)));
  const standing: Standing = { period, allowance, used, left: secondsLeft(allowance, used) };
  if (policy.budgetSeconds !== undefined) {
    const guildUsed = totalSeconds(view.ledger.guildUsage(who.guildId, policy.period, who.now));
    standing.budget = { seconds: policy.budgetSeconds, used: guildUsed, left: Math.max(0, policy.budgetSeconds - guildUsed) };
  }
  return standing;
}
