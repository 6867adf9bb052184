import { describe, expect, it } from 'vitest';
import { checkGate, type GateRequest, type GateView } from '../../src/moderation/gate.js';
import { Ledger } from '../../src/quota/ledger.js';
import { emptySettings, type GuildSettings, type OperatorPolicy } from '../../src/settings/guild-settings.js';

const now = Date.UTC(2026, 11, 1, 10);
const tomorrow = `<t:${Date.UTC(2026, 11, 2) / 1000}:R>`;
const operator: OperatorPolicy = { quotaDefaultSeconds: 60, quotaPeriod: 'day', pricePerSecondUsd: 0.05, caps: { concurrency: 2, queue: 20, pending: 2 } };
const request = (extra: Partial<GateRequest> = {}): GateRequest => ({
  guildId: 'g1', userId: 'alice', roleIds: [], channelId: 'general', seconds: 5, prompt: 'a cat on a skateboard', now, ...extra,
});
function view(change: (s: GuildSettings) => void = () => undefined, ledger = new Ledger(), extra: Partial<GateView> = {}): GateView {
  const settings = emptySettings();
  change(settings);
  return { settings, operator, ledger, ...extra };
}
const spent = (userId: string, seconds: number, at = now) => {
  const ledger = new Ledger();
  ledger.reserve({ id: `${userId}-${seconds}`, guildId: 'g1', userId, seconds, acceptedAt: at, charged: true });
  return ledger;
};

describe('what members are refused before anything is queued', () => {
  it('lets an ordinary request through with the operator’s defaults', () => {
    expect(checkGate(view(), request())).toBeUndefined();
  });

  it('refuses a blocked member, with the moderator’s reason', () => {
    const refusal = checkGate(view((s) => (s.access.blocked.alice = { reason: 'spam', at: now, by: 'mod' })), request());
    expect(refusal).toEqual({ code: 'member-blocked', text: 'A moderator has stopped you from making videos in this server: spam' });
  });

  it('refuses outside the allowed channels and names them', () => {
    const refusal = checkGate(view((s) => (s.access.channels = ['c1', 'c2'])), request());
    expect(refusal).toEqual({ code: 'channel-not-allowed', text: "Videos can't be made in this channel. Try <#c1>, <#c2>." });
    expect(checkGate(view((s) => (s.access.channels = ['general'])), request())).toBeUndefined();
  });

  it('refuses a member without any allowed role, and admits one with one', () => {
    const v = view((s) => (s.access.roles = ['r1']));
    expect(checkGate(v, request())?.code).toBe('role-not-allowed');
    expect(checkGate(v, request({ roleIds: ['r0', 'r1'] }))).toBeUndefined();
  });

  it('refuses while paused, with the reason', () => {
    expect(checkGate(view((s) => (s.paused = { reason: 'maintenance tonight', at: now, by: 'mod' })), request())?.text).toBe(
      'Video making is paused in this server: maintenance tonight',
    );
  });

  it('refuses within the cooldown, saying when the member may ask again', () => {
    const v = view((s) => (s.limits.cooldownSeconds = 120), new Ledger(), { lastAcceptedAt: now - 30_000 });
    expect(checkGate(v, request())).toEqual({
      code: 'cooldown',
      text: `Please wait a little between videos: you can ask again <t:${(now + 90_000) / 1000}:R>.`,
    });
    expect(checkGate({ ...v, lastAcceptedAt: now - 120_000 }, request())).toBeUndefined();
  });

  it('refuses 10-second videos where they are not allowed', () => {
    expect(checkGate(view((s) => (s.limits.allow10s = false)), request({ seconds: 10 }))?.code).toBe('ten-seconds-not-allowed');
    expect(checkGate(view((s) => (s.limits.allow10s = false)), request({ seconds: 5 }))).toBeUndefined();
  });

  it('names the blocked word, in the prompt or the negative prompt', () => {
    const v = view((s) => (s.words = ['gore']));
    expect(checkGate(v, request({ prompt: 'Gore everywhere' }))?.text).toBe("Your prompt has a word that isn't allowed in this server: “gore”.");
    expect(checkGate(v, request({ negativePrompt: 'no gore' }))?.code).toBe('blocked-word');
    expect(checkGate(v, request({ prompt: 'a gorge at dawn' }))).toBeUndefined();
  });

  it('refuses over the allowance, saying what is left and when it resets', () => {
    expect(checkGate(view(() => undefined, spent('alice', 57)), request())).toEqual({
      code: 'over-allowance',
      text: `You have 3 of 60 seconds left today; this video needs 5. Resets ${tomorrow}.`,
    });
    expect(checkGate(view(() => undefined, spent('alice', 55)), request())).toBeUndefined();
    expect(checkGate(view(() => undefined, spent('bob', 60)), request())).toBeUndefined();
  });

  it('counts grants on top and forgets usage before a reset', () => {
    const period = 'day:2026-12-01';
    expect(checkGate(view((s) => (s.grants = { period, seconds: { alice: 10 } }), spent('alice', 60)), request())).toBeUndefined();
    expect(checkGate(view((s) => (s.grants = { period: 'day:2026-11-30', seconds: { alice: 10 } }), spent('alice', 60)), request())?.code).toBe('over-allowance');
    expect(checkGate(view((s) => (s.resets = { period, at: { alice: now } }), spent('alice', 60, now - 1)), request())).toBeUndefined();
  });

  it('refuses a member whose allowance is 0 plainly', () => {
    expect(checkGate(view((s) => (s.quota.members.alice = 0)), request())?.text).toBe(
      "Your video allowance in this server is 0 seconds, so you can't make videos here. A moderator can change that.",
    );
  });

  it('says “this week” with a weekly period', () => {
    const text = checkGate(view((s) => (s.quota.period = 'week'), spent('alice', 60)), request())?.text;
    expect(text).toBe(`You have 0 of 60 seconds left this week; this video needs 5. Resets <t:${Date.UTC(2026, 11, 7) / 1000}:R>.`);
  });

  it('refuses over the guild budget, saying when the server’s budget resets', () => {
    const ledger = spent('bob', 58);
    expect(checkGate(view((s) => (s.quota.budgetSeconds = 60), ledger), request())).toEqual({
      code: 'over-budget',
      text: `This server's video budget today is used up (2 of 60 seconds left; this video needs 5). It resets ${tomorrow}.`,
    });
    expect(checkGate(view((s) => (s.quota.budgetSeconds = 0), ledger), request())).toBeUndefined();
  });

  it('checks in the order a member would find fair: blocked before channel before allowance', () => {
    const v = view((s) => {
      s.access.blocked.alice = { at: now, by: 'mod' };
      s.access.channels = ['c1'];
      s.quota.members.alice = 0;
    });
    expect(checkGate(v, request())?.code).toBe('member-blocked');
  });
});
