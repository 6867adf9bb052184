import { describe, expect, it } from 'vitest';
import { emptySettings, type OperatorPolicy } from '../../src/settings/guild-settings.js';
import { renderSettings } from '../../src/settings/settings-view.js';

const operator: OperatorPolicy = { quotaDefaultSeconds: 60, quotaPeriod: 'day', pricePerSecondUsd: 0.05, caps: { concurrency: 2, queue: 20, pending: 2 } };

describe('the settings embed', () => {
  it('shows the operator’s defaults for a server never configured', () => {
    const embed = renderSettings(emptySettings(), operator, []);
    const field = (name: string) => embed.fields!.find((f) => f.name === name)!.value;
    expect(field('Allowance')).toBe('60 s per day (resets 00:00 UTC)');
    expect(field('Limits')).toBe('2 at once (cap 2)\n20 waiting (cap 20)\n2 per member (cap 2)\ncooldown 0 s\n10-second videos allowed');
    expect(field('Channels')).toBe('every channel');
    expect(field('Requests')).toBe('accepted');
    expect(embed.fields!.some((f) => f.name.includes('Problems'))).toBe(false);
  });

  it('shows what moderators set, and the problems the bot knows of', () => {
    const s = emptySettings();
    s.quota = { defaultSeconds: 'unlimited', period: 'week', roles: { r1: 120 }, members: { u1: 0 }, budgetSeconds: 600 };
    s.limits = { concurrency: 1, cooldownSeconds: 30, allow10s: false };
    s.access = { channels: ['c1'], roles: [], blocked: { u2: { at: 0, by: 'm' } } };
    s.words = ['a', 'b'];
    s.modlogChannelId = 'c9';
    s.paused = { reason: 'maintenance', at: 0, by: 'm' };
    const embed = renderSettings(s, operator, ['The bot cannot post in <#c9> (missing permission).']);
    const field = (name: string) => embed.fields!.find((f) => f.name === name)!.value;
    expect(field('Allowance')).toBe('unlimited per week (resets 00:00 UTC, Mondays)');
    expect(field('Role allowances')).toBe('<@&r1> 120 s');
    expect(field('Member allowances')).toBe('<@u1> 0 s');
    expect(field('Server budget')).toBe('600 s per week');
    expect(field('Blocked members')).toBe('<@u2>');
    expect(field('Blocked words')).toBe('2');
    expect(field('Mod-log')).toBe('<#c9>');
    expect(field('Requests')).toBe('paused: maintenance');
    expect(field('⚠️ Problems')).toBe('• The bot cannot post in <#c9> (missing permission).');
  });

  it('sums up the models in force: the server default and how many are allowed', () => {
    const s = emptySettings();
    s.models = { denied: ['kling/pro'], roles: { 'google/veo': ['r1'] }, defaultModel: 'wan/fast' };
    const models = {
      defaultModel: 'wan/fast',
      list: () => [
        { model: 'wan/fast' as const, pricePerSecondUsd: 0.05, isDefault: true },
        { model: 'google/veo' as const, pricePerSecondUsd: 0.4, isDefault: false },
        { model: 'kling/pro' as const, pricePerSecondUsd: 0.1, isDefault: false },
      ],
    };
    const embed = renderSettings(s, operator, [], models);
    expect(embed.fields!.find((f) => f.name === 'Models')!.value).toBe(
      'default `wan/fast`; 2 of 3 allowed (1 only to some roles); see `/video-admin models list`',
    );
  });
});
