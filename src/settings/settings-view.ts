import type { APIEmbed } from 'discord.js';
import { describeAllowance } from '../quota/allowance.js';
import { effectivePolicy, type GuildSettings, type OperatorPolicy } from './guild-settings.js';
import type { ModelCatalogue } from './model-settings.js';
import { summarizeModels } from './models-view.js';

/** `/video-admin settings`: everything in force in one embed, with the problems the bot knows of. */
export function renderSettings(settings: GuildSettings, operator: OperatorPolicy, problems: readonly string[], models?: ModelCatalogue): APIEmbed {
  const p = effectivePolicy(settings, operator);
  const list = (ids: readonly string[], mention: (id: string) => string, none: string) =>
    ids.length ? cut(ids.map(mention).join(', '), 1000) : none;
  const overrides = (table: Record<string, unknown>, mention: (id: string) => string) =>
    Object.keys(table).length
      ? cut(Object.entries(table).map(([id, a]) => `${mention(id)} ${describeAllowance(a as number | 'unlimited')}`).join(', '), 1000)
      : 'none';
  const blocked = Object.keys(settings.access.blocked);
  const fields = [
    { name: 'Allowance', value: `${describeAllowance(p.defaultSeconds)} per ${p.period} (resets 00:00 UTC${p.period === 'week' ? ', Mondays' : ''})` },
    { name: 'Role allowances', value: overrides(settings.quota.roles, (id) => `<@&${id}>`), inline: true },
    { name: 'Member allowances', value: overrides(settings.quota.members, (id) => `<@${id}>`), inline: true },
    { name: 'Server budget', value: p.budgetSeconds ? `${p.budgetSeconds} s per ${p.period}` : 'none' },
    {
      name: 'Limits',
      value: [
        `${p.concurrency} at once (cap ${operator.caps.concurrency})`,
        `${p.queue} waiting (cap ${operator.caps.queue})`,
        `${p.pending} per member (cap ${operator.caps.pending})`,
        `cooldown ${p.cooldownSeconds} s`,
        `10-second videos ${p.allow10s ? 'allowed' : 'not allowed'}`,
      ].join('\n'),
    },
    { name: 'Channels', value: list(settings.access.channels, (id) => `<#${id}>`, 'every channel'), inline: true },
    { name: 'Roles', value: list(settings.access.roles, (id) => `<@&${id}>`, 'everyone'), inline: true },
    { name: 'Blocked members', value: list(blocked, (id) => `<@${id}>`, 'none'), inline: true },
    { name: 'Blocked words', value: `${settings.words.length}` , inline: true },
    { name: 'Mod-log', value: settings.modlogChannelId ? `<#${settings.modlogChannelId}>` : 'off', inline: true },
    { name: 'Requests', value: settings.paused ? `paused${settings.paused.reason ? `: ${cut(settings.paused.reason, 200)}` : ''}` : 'accepted', inline: true },
    ...(models ? [{ name: 'Models', value: cut(summarizeModels(settings.models, models), 1000) }] : []),
    { name: 'Estimated price', value: `$${operator.pricePerSecondUsd.toFixed(3)} per second of video (set by the operator; check the model's page)` },
  ];
  if (problems.length) fields.push({ name: '⚠️ Problems', value: cut(problems.map((p) => `• ${p}`).join('\n'), 1000) });
  return { title: 'Video settings for this server', color: problems.length ? 0xfee75c : 0x5865f2, fields };
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
