import { ErrorReply, TimeoutError } from '@redis/client';
import { describe, expect, it } from 'vitest';
import { describeStoreError, isTransientStoreError, redactUrl } from '../../src/storage/store-error.js';

describe('store failures in plain words', () => {
  it('names the store without user name, password or query', () => {
    expect(redactUrl('redis://bot:s3cret@cache.internal:6380/2')).toBe('redis://cache.internal:6380/2');
    expect(redactUrl('postgresql://bot:s3cret@db:5432/bot?sslmode=require')).toBe('postgresql://db:5432/bot');
    expect(redactUrl('sqlite://data/bot.sqlite')).toBe('sqlite://data/bot.sqlite');
  });

  it("says 'timed out' for a Redis command that got no answer, and counts it as worth a retry", () => {
    expect(describeStoreError(new TimeoutError())).toBe('timed out');
    expect(isTransientStoreError(new TimeoutError())).toBe(true);
  });

  it('says what a refusing Redis means, and does not retry a refused password', () => {
    expect(describeStoreError(new ErrorReply("OOM command not allowed when used memory > 'maxmemory'."))).toBe(
      'Redis is out of memory (maxmemory reached) and refuses writes',
    );
    expect(describeStoreError(new ErrorReply("READONLY You can't write against a read only replica."))).toBe(
      'Redis is a read-only replica and refuses writes',
    );
    // Memory is freed, a failover ends: a start waits a few tries for them (found by the chaos soak on Redis).
    expect(isTransientStoreError(new ErrorReply("OOM command not allowed when used memory > 'maxmemory'."))).toBe(true);
    expect(isTransientStoreError(new ErrorReply("READONLY You can't write against a read only replica."))).toBe(true);
    const wrongPass = new ErrorReply('WRONGPASS invalid username-password pair or user is disabled.');
    expect(describeStoreError(wrongPass)).toBe('the password was refused');
    expect(isTransientStoreError(wrongPass)).toBe(false);
  });

  it('keeps a password out of a reason that quotes it', () => {
    expect(describeStoreError(new Error('cannot log in as bot with s3cret'), ['s3cret'])).toBe('cannot log in as bot with ***');
  });
});
