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

describe('wording of model errors', () => {
  it("keeps the model's own words", () => {
    expect(describePredictionEnd({ id: 'p', status: 'failed', error: 'NSFW content detected' })).toBe(
      'The model could not make this video: NSFW content detected',
    );
  });

  it('reduces a JSON error to its message and drops links', () => {
    const error = JSON.stringify({ detail: 'Failed to download https://cdn.discordapp.com/a.png?ex=1&hm=secret', status: 500 });
    expect(describePredictionEnd({ id: 'p', status: 'failed', error })).toBe('The model could not make this video: Failed to download (link)');
  });

  it('cuts long text to about 200 characters', () => {
    const text = describePredictionEnd({ id: 'p', status: 'failed', error: 'x '.repeat(500) });
    expect(text.length).toBeLessThanOrEqual('The model could not make this video: '.length + 200);
    expect(text.endsWith('…')).toBe(true);
  });

  it('words canceled, aborted and silent failures', () => {
    expect(describePredictionEnd({ id: 'p', status: 'canceled' })).toBe('The video was canceled at Replicate.');
    expect(describePredictionEnd({ id: 'p', status: 'aborted' })).toBe('Replicate stopped the video before it finished.');
    expect(describePredictionEnd({ id: 'p', status: 'failed' })).toBe('The model could not make this video.');
  });
});
