/**
 * Blocked words in prompts: case-insensitive, whole words only, Unicode-aware. "cat" blocks "Cat!" and "CAT's" but
 * not "category" or "concatenate"; "çà" matches "ÇÀ"; a phrase ("red ball") matches with any run of spaces.
 * Text and words are compared in Unicode NFKC form, case-folded, so full-width and composed letters match too.
 */
export interface WordMatcher {
  /** The first blocked word (as the moderator wrote it) found in the text, if any. */
  find(text: string): string | undefined;
}

const wordChar = '[\\p{L}\\p{M}\\p{N}_]';

function fold(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase('und');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createWordMatcher(words: readonly string[]): WordMatcher {
  const entries = words
    .map((word) => ({ word, folded: fold(word.trim()) }))
    .filter((entry) => entry.folded.length > 0);
  if (entries.length === 0) return { find: () => undefined };
  const alternatives = entries.map((entry) => escape(entry.folded).replace(/\s+/g, '\\s+'));
  const pattern = new RegExp(`(?<!${wordChar})(?:${alternatives.join('|')})(?!${wordChar})`, 'u');
  return {
    find(text) {
      const match = pattern.exec(fold(text));
      if (!match) return undefined;
      const found = match[0].replace(/\s+/g, ' ');
      return entries.find((entry) => entry.folded.replace(/\s+/g, ' ') === found)?.word ?? found;
    },
  };
}

/** What a moderator may add: 1–64 characters with at least one letter or digit. Returns the cleaned word. */
export function cleanBlockedWord(raw: string): string | undefined {
  const word = raw.normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (word.length === 0 || word.length > 64 || !/[\p{L}\p{N}]/u.test(word)) return undefined;
  return word;
}
