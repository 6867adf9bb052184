import { describe, expect, it } from 'vitest';
import { Ledger, totalSeconds, type LedgerJob } from '../../src/quota/ledger.js';

const dec1 = Date.UTC(2026, 11, 1, 10);
const job = (id: string, userId: string, seconds: number, acceptedAt = dec1, charged = false): LedgerJob => ({
  id, guildId: 'g1', userId, seconds, acceptedAt, charged,
});

describe('the ledger of video seconds', () => {
  it('reserves at admission, charges on delivery and refunds on failure or cancel', () => {
    const ledger = new Ledger();
    ledger.reserve(job('a', 'alice', 5));
    ledger.reserve(job('b', 'alice', 10));
    ledger.reserve(job('c', 'alice', 5));
    expect(ledger.memberUsage('g1', 'alice', 'day', dec1)).toEqual({ reserved: 20, charged: 0 });
    ledger.charge('g1', 'a');
    ledger.refund('g1', 'b');
    expect(ledger.memberUsage('g1', 'alice', 'day', dec1)).toEqual({ reserved: 5, charged: 5 });
    ledger.refund('g1', 'c');
    expect(totalSeconds(ledger.memberUsage('g1', 'alice', 'day', dec1))).toBe(5);
  });

  it('counts a 10-second video twice a 5-second one, per member and for the guild', () => {
    const ledger = new Ledger();
    ledger.reserve(job('a', 'alice', 10));
    ledger.reserve(job('b', 'bob', 5));
    expect(totalSeconds(ledger.memberUsage('g1', 'alice', 'day', dec1))).toBe(10);
    expect(totalSeconds(ledger.memberUsage('g1', 'bob', 'day', dec1))).toBe(5);
    expect(totalSeconds(ledger.guildUsage('g1', 'day', dec1))).toBe(15);
    expect(totalSeconds(ledger.guildUsage('other', 'day', dec1))).toBe(0);
  });

  it('counts a job in the period it was accepted in, at UTC boundaries', () => {
    const ledger = new Ledger();
    ledger.reserve(job('late', 'alice', 5, Date.UTC(2026, 11, 1, 23, 59, 59, 999), true));
    ledger.reserve(job('early', 'alice', 10, Date.UTC(2026, 11, 2), true));
    expect(totalSeconds(ledger.memberUsage('g1', 'alice', 'day', Date.UTC(2026, 11, 1, 12)))).toBe(5);
    expect(totalSeconds(ledger.memberUsage('g1', 'alice', 'day', Date.UTC(2026, 11, 2, 12)))).toBe(10);
    // Both fall in the week of Monday 2026-11-30.
    expect(totalSeconds(ledger.memberUsage('g1', 'alice', 'week', Date.UTC(2026, 11, 6, 23)))).toBe(15);
    expect(totalSeconds(ledger.memberUsage('g1', 'alice', 'week', Date.UTC(2026, 11, 7)))).toBe(0);
  });

  it('leaves out jobs accepted before a reset, which is how a moderator clears a member’s period', () => {
    const ledger = new Ledger();
    ledger.reserve(job('before', 'alice', 10, dec1, true));
    ledger.reserve(job('after', 'alice', 5, dec1 + 60_000));
    expect(totalSeconds(ledger.memberUsage('g1', 'alice', 'day', dec1, dec1 + 1))).toBe(5);
    // The guild budget still counts every delivered second.
    expect(totalSeconds(ledger.guildUsage('g1', 'day', dec1))).toBe(15);
  });

  it('rebuilt from the same jobs gives the same usage', () => {
    const jobs = [job('a', 'alice', 5, dec1, true), job('b', 'alice', 10), job('c', 'bob', 5, dec1, true)];
    const first = new Ledger();
    for (const j of jobs) first.reserve(j);
    const again = new Ledger();
    for (const j of [...jobs].reverse()) again.reserve(j);
    for (const userId of ['alice', 'bob']) {
      expect(again.memberUsage('g1', userId, 'day', dec1)).toEqual(first.memberUsage('g1', userId, 'day', dec1));
    }
  });

  it('forgets periods nobody asks about any more', () => {
    const ledger = new Ledger();
    ledger.reserve(job('old', 'alice', 5, Date.UTC(2026, 10, 1), true));
    ledger.reserve(job('new', 'alice', 5, dec1, true));
    ledger.forgetBefore(Date.UTC(2026, 10, 30));
    expect(totalSeconds(ledger.memberUsage('g1', 'alice', 'month', Date.UTC(2026, 10, 1)))).toBe(0);
    expect(totalSeconds(ledger.memberUsage('g1', 'alice', 'day', dec1))).toBe(5);
  });
});
