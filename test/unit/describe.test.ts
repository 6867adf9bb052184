import { describe, expect, it } from 'vitest';
import { describePredictionEnd } from '../../src/queue/describe.js';

describe('what a member reads when a prediction ends without a video', () => {
  it('explains an output Replicate already removed', () => {
    expect(describePredictionEnd({ id: 'p', status: 'succeeded', dataRemoved: true })).toMatch(
      /Replicate no longer has it.*run \/video again/,
    );
  });

  it("quotes the model's error in plain words", () => {
    expect(describePredictionEnd({ id: 'p', status: 'failed', error: 'NSFW content detected' })).toBe(
      'The model could not make this video: NSFW content detected',
    );
    expect(describePredictionEnd({ id: 'p', status: 'failed' })).toBe('The model could not make this video.');
  });
});
