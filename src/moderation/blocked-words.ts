import { latinOf } from './lookalike-letters.js';

/**
 * Blocked words in prompts: whole words only, any case, any script, and hard to dodge. Text and words are compared
 * after the same folding:
 * - invisible characters (Unicode's default-ignorable code points: zero-width spaces and joiners, soft hyphens,
 *   word joiners, variation selectors) are removed, so "go\u200Bre" reads "gore";
 * - NFKC, so full-width and composed letters match; then lowercase;
 * - Latin, Cyrillic and Greek letters that look like a basic Latin letter read as that letter (lookalike-letters.ts,
 *   from Unicode's confusables), so a Cyrillic "о" in "gоre" reads "o", either in the prompt or in the word;
 * - `_` reads as a space, so "gore_" and "red_ball" match "gore" and "red ball".
 * Inside a word, a digit or sign may stand for the letter it resembles (0 o, 1 i or l, 3 e, 4 a, 5 s, 7 t, 8 b,
 * 6 and 9 g, @ a, $ s): "g0re" and "a$$" match; a run of digits alone never does, so "455" is not "ass".
 * The match must be a whole word: "cat" blocks "Cat!" and "CAT's" but not "category", "ass" not "class" or
 * "cl4ss", "cunt" not "Scunthorpe". Accented letters stay themselves ("çà" is not "ca"). A phrase ("red ball")
 * matches across any run of spaces.
 */
export interface WordMatcher {
  /** The first blocked word (as the moderator wrote it) found in the text, if any. */
  find(text: string): string | undefined;
}

const wordChar = '[\\p{L}\\p{M}\\p{N}]';
const invisible = /\p{Default_Ignorable_Code_Point}/gu;
const standIns: Readonly<Record<string, string>> = { a: '4@', b: '8', e: '3', g: '69', i: '1', l: '1', o: '0', s: '5$', t: '7' };
/** A match of only digits (and spaces) is a number, not a word spelled with digits. */
const digitsOnly = /^[\p{N}\s]*$/u;

/** Every character the fold changes after NFKC and lowercase: `_` and the lookalikes (one regex pass, no loop). */
const lookalike = new RegExp(`[_${[...latinOf.keys()].join('')}]`, 'gu');

/** Runs on every prompt before its acknowledgement: a few native passes over the text, no per-character loop. */
function fold(text: string): string {
  return text
    .replace(invisible, '')
    .normalize('NFKC')
    .toLocaleLowerCase('und')
    .replace(lookalike, (ch) => (ch === '_' ? ' ' : (latinOf.get(ch) ?? ch)));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The folded word as a pattern: spaces as any run of spaces, each letter also as the signs that stand for it. */
function patternOf(folded: string): string {
  return folded
    .split(' ')
    .map((part) => [...part].map((ch) => (standIns[ch] ? `[${ch}${standIns[ch]}]` : escape(ch))).join(''))
    .join('\\s+');
}

export function createWordMatcher(words: readonly string[]): WordMatcher {
  const entries = words
    .map((word) => ({ word, folded: fold(word).trim().replace(/\s+/g, ' ') }))
    .filter((entry) => entry.folded.length > 0)
    // A number the moderator blocked is tried before a word a digit could spell at the same place ("455", "ass").
    .sort((a, b) => Number(digitsOnly.test(b.folded)) - Number(digitsOnly.test(a.folded)));
  if (entries.length === 0) return { find: () => undefined };
  const alternatives = entries.map((entry) => `(${patternOf(entry.folded)})`);
  const pattern = new RegExp(`(?<!${wordChar})(?:${alternatives.join('|')})(?!${wordChar})`, 'gu');
  return {
    find(text) {
      const folded = fold(text);
      pattern.lastIndex = 0;
      for (let match = pattern.exec(folded); match; match = pattern.exec(folded)) {
        const at = match.findIndex((group, i) => i > 0 && group !== undefined);
        const entry = entries[at - 1];
        if (entry && !(digitsOnly.test(match[0]) && !digitsOnly.test(entry.folded))) return entry.word;
        pattern.lastIndex = match.index + 1;
      }
      return undefined;
    },
  };
}

/** What a moderator may add: 1–64 characters with at least one letter or digit. Returns the cleaned word. */
export function cleanBlockedWord(raw: string): string | undefined {
  const word = raw.normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (word.length === 0 || word.length > 64 || !/[\p{L}\p{N}]/u.test(word)) return undefined;
  return word;
}
