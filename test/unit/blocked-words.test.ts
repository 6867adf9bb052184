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

  it('sees through invisible characters: zero-width spaces and joiners, soft hyphens, word joiners', () => {
    expect(matcher.find('go\u200bre')).toBe('Gore');
    expect(matcher.find('go\u00adre')).toBe('Gore');
    expect(matcher.find('g\u200dor\u200ce')).toBe('Gore');
    expect(matcher.find('\u2060gore\ufe0f')).toBe('Gore');
    expect(matcher.find('red\u200b ball')).toBe('red ball');
  });

  it('sees through Cyrillic and Greek letters that look like Latin ones, in either case, either way round', () => {
    expect(matcher.find('g\u043ere')).toBe('Gore'); // Cyrillic о
    expect(matcher.find('G\u041eR\u0415')).toBe('Gore'); // Cyrillic О and Е
    expect(matcher.find('g\u03bfre')).toBe('Gore'); // Greek ο
    expect(matcher.find('\u0441\u0430t')).toBe('cat'); // Cyrillic с and а
    // A word the moderator typed with a Cyrillic letter still matches the plain Latin spelling.
    expect(createWordMatcher(['g\u043ere']).find('so much gore')).toBe('g\u043ere');
  });

  it('reads _ as a space and digits or @ $ in place of letters as the word they spell', () => {
    expect(matcher.find('gore_')).toBe('Gore');
    expect(matcher.find('__gore__ fest')).toBe('Gore');
    expect(matcher.find('a red_ball')).toBe('red ball');
    expect(matcher.find('g0re')).toBe('Gore');
    expect(matcher.find('G0R3!')).toBe('Gore');
    expect(matcher.find('c@t')).toBe('cat');
    const ass = createWordMatcher(['ass']);
    expect(ass.find('a55')).toBe('ass');
    expect(ass.find('@$$')).toBe('ass');
  });

  it('keeps whole words, so Scunthorpe-style words and plain numbers stay allowed', () => {
    const strict = createWordMatcher(['cunt', 'ass', 'hell', 'gore']);
    expect(strict.find('a night in Scunthorpe')).toBeUndefined();
    expect(strict.find('\u0455cunthorpe')).toBeUndefined(); // Cyrillic ѕ
    expect(strict.find('a class on cl4ss and passage')).toBeUndefined();
    expect(strict.find('hello shell')).toBeUndefined();
    expect(strict.find('gorgeous g0rge')).toBeUndefined();
    expect(strict.find('room 455, $5 or 455$')).toBeUndefined();
    expect(strict.find('HELL0 there')).toBeUndefined();
    expect(strict.find('HE11 yeah')).toBe('hell');
  });

  it('cleans what a moderator adds and refuses what cannot be a word', () => {
    expect(cleanBlockedWord('  Red   Ball ')).toBe('Red Ball');
    expect(cleanBlockedWord('...')).toBeUndefined();
    expect(cleanBlockedWord('')).toBeUndefined();
    expect(cleanBlockedWord('x'.repeat(65))).toBeUndefined();
  });
});
