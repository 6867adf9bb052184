/**
 * Letters of the Latin, Cyrillic and Greek scripts that look like a basic Latin letter, by the letter they look
 * like: a small slice of Unicode's confusables (UTS #39, confusables.txt 13.0.0, as shipped in the MIT-licensed npm
 * package unhomoglyph 1.0.6, data.json). Generated, then committed, with these rules:
 * - the source is one code point of script Latin, Cyrillic or Greek, not ASCII, unchanged by NFKC (NFKC already
 *   folds full-width, mathematical and compatibility letters);
 * - its prototype, lowercased, is one letter a-z (so `m` → `rn` and the digits' entries are left out: the word
 *   matcher reads digits itself, and only inside words);
 * - keyed by the source lowercased (text is lowercased before the lookup); where a capital's lowercase has no entry
 *   of its own it takes the capital's (Greek Η → η → h), an entry of its own wins (Greek ν stays v, not Ν's n).
 */
const lookalikes: Record<string, string> = {
  a: '\u{251}\u{3b1}\u{430}', // ɑ α а
  b: '\u{185}\u{3b2}\u{432}\u{44c}\u{a7b5}', // ƅ β в ь ꞵ
  c: '\u{441}\u{1d04}', // с ᴄ
  d: '\u{501}', // ԁ
  e: '\u{3b5}\u{435}\u{4bd}\u{ab32}', // ε е ҽ ꬲ
  f: '\u{3dd}\u{1e9d}\u{a799}\u{ab35}\u{1d213}', // ϝ ẝ ꞙ ꬵ 𝈓
  g: '\u{18d}\u{261}\u{50d}\u{1d83}', // ƍ ɡ ԍ ᶃ
  h: '\u{3b7}\u{43d}\u{4bb}', // η н һ
  i: '\u{131}\u{269}\u{26a}\u{3b9}\u{456}\u{4cf}\u{a647}', // ı ɩ ɪ ι і ӏ ꙇ
  j: '\u{29d}\u{3f3}\u{458}', // ʝ ϳ ј
  k: '\u{3ba}\u{43a}', // κ к
  l: '\u{1c0}\u{1d22a}', // ǀ 𝈪
  m: '\u{3bc}\u{3fb}\u{43c}', // μ ϻ м
  o: '\u{3bf}\u{3c3}\u{43e}\u{1d0f}\u{1d11}\u{ab3d}', // ο σ о ᴏ ᴑ ꬽ
  p: '\u{3c1}\u{440}', // ρ р
  q: '\u{51b}', // ԛ
  r: '\u{280}\u{433}\u{1d26}\u{ab47}\u{ab48}\u{1d216}', // ʀ г ᴦ ꭇ ꭈ 𝈖
  s: '\u{1bd}\u{455}\u{a731}', // ƽ ѕ ꜱ
  t: '\u{3c4}\u{442}', // τ т
  u: '\u{28b}\u{3c5}\u{1d1c}\u{a79f}\u{ab4e}\u{ab52}', // ʋ υ ᴜ ꞟ ꭎ ꭒ
  v: '\u{3bd}\u{475}\u{1d20}\u{1d20d}', // ν ѵ ᴠ 𝈍
  w: '\u{26f}\u{461}\u{51d}\u{1d21}', // ɯ ѡ ԝ ᴡ
  x: '\u{3c7}\u{445}\u{ab53}', // χ х ꭓ
  y: '\u{263}\u{28f}\u{3b3}\u{443}\u{4af}\u{1d8c}\u{1eff}\u{ab5a}', // ɣ ʏ γ у ү ᶌ ỿ ꭚ
  z: '\u{3b6}\u{1d22}', // ζ ᴢ
};

/** Lowercased lookalike → the basic Latin letter it imitates. */
export const latinOf: ReadonlyMap<string, string> = new Map(
  Object.entries(lookalikes).flatMap(([letter, sources]) => [...sources].map((source) => [source, letter] as const)),
);
