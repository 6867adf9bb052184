import { resolveAllowance, secondsLeft, withGrants } from '../quota/allowance.js';
import { totalSeconds, type Ledger } from '../quota/ledger.js';
import { periodOf, relativeTime } from '../quota/period.js';
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

  const period = periodOf(policy.period, request.now);
  const when = policy.period === 'day' ? 'today' : 'this week';
  const allowance = withGrants(
    resolveAllowance({ defaultSeconds: policy.defaultSeconds, roles: settings.quota.roles, members: settings.quota.members }, request.userId, request.roleIds),
    grantedSeconds(settings, period.key, request.userId),
  );
  const used = totalSeconds(view.ledger.memberUsage(request.guildId, request.userId, policy.period, request.now, resetAt(settings, period.key, request.userId)));
  const left = secondsLeft(allowance, used);
  if (left < request.seconds) {
    const text =
      allowance === 0
        ? "Your video allowance in this server is 0 seconds, so you can't make videos here. A moderator can change that."
        : `You have ${left} of ${String(allowance)} seconds left ${when}; this video needs ${request.seconds}. Resets ${relativeTime(period.end)}.`;
    return { code: 'over-allowance', text };
  }
  if (policy.budgetSeconds !== undefined) {
    const guildUsed = totalSeconds(view.ledger.guildUsage(request.guildId, policy.period, request.now));
    const guildLeft = Math.max(0, policy.budgetSeconds - guildUsed);
    if (guildLeft < request.seconds) {
      return {
        code: 'over-budget',
        text: `This server's video budget ${when} is used up (${guildLeft} of ${policy.budgetSeconds} seconds left; this video needs ${request.seconds}). It resets ${relativeTime(period.end)}.`,
      };
    }
  }
  return undefined;
}
