import { describe, expect, it } from 'vitest';
import { cleanBlockedWord, createWordMatcher } from '../../src/moderation/blocked-words.js';

describe('blocked words', () => {
  const matcher = createWordMatcher(['cat', 'Gore', 'red ball', 'çà', 'ß']);

  it('matches whole words whatever their case and the punctuation around them', () => {
    expect(matcher.find('A CAT on a skateboard')).toBe('cat');
    expect(matcher.find('"Cat!" said the dog')).toBe('cat');
    expect(matcher.find("the cat's hat")).toBe('cat');
    expect(matcher.find('blood and gore.')).toBe('Gore');
    expect(matcher.find('(gore)')).toBe('Gore');
  });

  it('does not match a word inside another word', () => {
    expect(matcher.find('a category of concatenated scatter plots')).toBeUndefined();
    expect(matcher.find('gorge and gorey')).toBeUndefined();
    expect(matcher.find('cats')).toBeUndefined();
    expect(matcher.find('cat_')).toBeUndefined();
  });

  it('is Unicode-aware: accented letters count as word characters, composed and full-width forms match', () => {
    expect(matcher.find('voilà ÇÀ marche')).toBe('çà');
    expect(matcher.find('facàde')).toBeUndefined();
    // "c" + combining cedilla + "a" + combining grave: NFKC composes it to "çà".
    expect(matcher.find('c\u0327a\u0300')).toBe('çà');
    expect(matcher.find('ｃａｔ in full width')).toBe('cat');
    expect(matcher.find('straße')).toBeUndefined();
    expect(matcher.find('the letter ß alone')).toBe('ß');
  });

  it('matches a phrase across any run of spaces, and not its words alone', () => {
    expect(matcher.find('a big  RED\tball bouncing')).toBe('red ball');
    expect(matcher.find('a red car and a ball')).toBeUndefined();
  });

  it('finds nothing when the list is empty', () => {
    expect(createWordMatcher([]).find('anything at all')).toBeUndefined();
    expect(createWordMatcher(['  ']).find('anything at all')).toBeUndefined();
  });

  it('treats words as text, never as patterns', () => {
    const tricky = createWordMatcher(['a.b', '(x)']);
    expect(tricky.find('aXb')).toBeUndefined();
    expect(tricky.find('see a.b here')).toBe('a.b');
  });

  it('cleans what a moderator adds and refuses what cannot be a word', () => {
    expect(cleanBlockedWord('  Red   Ball ')).toBe('Red Ball');
    expect(cleanBlockedWord('...')).toBeUndefined();
    expect(cleanBlockedWord('')).toBeUndefined();
    expect(cleanBlockedWord('x'.repeat(65))).toBeUndefined();
  });
});
