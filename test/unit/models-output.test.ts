import { describe, expect, it } from 'vitest';
import { videoUrlOf } from '../../src/models/output.js';

describe('the video in a prediction’s output', () => {
  it('takes a URI string as it is', () => {
    expect(videoUrlOf('https://replicate.delivery/x/out.mp4')).toBe('https://replicate.delivery/x/out.mp4');
  });

  it('takes the video from an array of URIs, wherever it is', () => {
    expect(videoUrlOf(['https://r.d/a/frame.png', 'https://r.d/a/video.mp4', 'https://r.d/a/sound.wav'])).toBe('https://r.d/a/video.mp4');
    expect(videoUrlOf(['https://r.d/a/video.webm?x=1'])).toBe('https://r.d/a/video.webm?x=1');
  });

  it('falls back to the last URI when none looks like a video, and to nothing without one', () => {
    expect(videoUrlOf(['https://r.d/a/1', 'https://r.d/a/2'])).toBe('https://r.d/a/2');
    expect(videoUrlOf(['https://r.d/a/still.png'])).toBeUndefined();
    expect(videoUrlOf(null)).toBeUndefined();
    expect(videoUrlOf([])).toBeUndefined();
    expect(videoUrlOf(42)).toBeUndefined();
  });
});
