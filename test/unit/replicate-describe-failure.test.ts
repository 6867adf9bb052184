import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/replicate/describe-failure.js';

describe('describeFailure', () => {
  it("keeps the model's own words", () => {
    expect(describeFailure({ id: 'p', status: 'failed', error: 'NSFW content detected' })).toBe(
      'The model could not make this video: NSFW content detected',
    );
  });

  it('reduces a JSON error to its message and drops links', () => {
    const error = JSON.stringify({ detail: 'Failed to download https://cdn.discordapp.com/a.png?ex=1&hm=secret', status: 500 });
    expect(describeFailure({ id: 'p', status: 'failed', error })).toBe('The model could not make this video: Failed to download (link)');
  });

  it('cuts long text to about 200 characters', () => {
    const text = describeFailure({ id: 'p', status: 'failed', error: 'x '.repeat(500) });
    expect(text.length).toBeLessThanOrEqual('The model could not make this video: '.length + 200);
    expect(text.endsWith('…')).toBe(true);
  });

  it('words canceled, aborted and silent failures', () => {
    expect(describeFailure({ id: 'p', status: 'canceled' })).toBe('The video was canceled at Replicate.');
    expect(describeFailure({ id: 'p', status: 'aborted' })).toBe('Replicate stopped the video before it finished.');
    expect(describeFailure({ id: 'p', status: 'failed' })).toBe('The model could not make this video.');
  });
});
