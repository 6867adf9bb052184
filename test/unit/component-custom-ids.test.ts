import { describe, expect, it } from 'vitest';
import {
  animateCustomId,
  jobButtonCustomId,
  parseAnimateRest,
  parseJobIdRest,
} from '../../src/discord/custom-id.js';

describe('custom ids of Regenerate, Remix and the Animate image form', () => {
  it('carries a job id after regen: or remix:, within 100 characters', () => {
    const jobId = '0b7e5a1e-6f7a-4c59-9d43-2f1f0c8b7a11';
    expect(jobButtonCustomId('regen', jobId)).toBe(`regen:${jobId}`);
    expect(jobButtonCustomId('remix', jobId)).toBe(`remix:${jobId}`);
    expect(parseJobIdRest(jobId)).toBe(jobId);
    expect(() => jobButtonCustomId('regen', '')).toThrow(RangeError);
    expect(() => jobButtonCustomId('regen', 'x'.repeat(95))).toThrow(RangeError);
  });

  it('reads nothing from a rest that is not a job id', () => {
    expect(parseJobIdRest('')).toBeUndefined();
    expect(parseJobIdRest('a:b')).toBeUndefined();
    expect(parseJobIdRest('x'.repeat(91))).toBeUndefined();
  });

  it('carries the channel and message of the animated message, and reads them back', () => {
    const id = animateCustomId('123456789012345678', '987654321098765432');
    expect(id).toBe('animate:123456789012345678:987654321098765432');
    expect(id.length).toBeLessThanOrEqual(100);
    expect(parseAnimateRest(id.slice('animate:'.length))).toEqual({
      channelId: '123456789012345678',
      messageId: '987654321098765432',
    });
  });

  it('refuses anything but two snowflakes', () => {
    expect(() => animateCustomId('chan', '1')).toThrow(RangeError);
    for (const rest of ['', '1', '1:', ':2', '1:2:3', 'a:2', '1:b', `${'9'.repeat(21)}:1`]) {
      expect(parseAnimateRest(rest)).toBeUndefined();
    }
  });
});
