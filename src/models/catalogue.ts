import { z } from 'zod';

/**
 * The models a server may run (REPLICATE_MODELS), each with its price. REPLICATE_MODEL stays the default and is
 * always in the catalogue: a server that sets only REPLICATE_MODEL runs exactly as before.
 */
export interface CatalogueEntry {
  model: `${string}/${string}`;
  /** US dollars per second of output video: the entry's `=PRICE`, else PRICE_PER_SECOND_USD. */
  pricePerSecondUsd: number;
  /** REPLICATE_MODEL: allowances are counted in seconds of its video (cost.ts). */
  isDefault: boolean;
}

export type ModelList = { ok: true; entries: CatalogueEntry[] } | { ok: false; message: string };

// Same owner/name rule as REPLICATE_MODEL. No `:version`: official models refuse one (reference/models.md §2).
const entryPattern = /^([\w.-]+\/[\w.-]+)(?:=(\d+(?:\.\d+)?))?$/;

const malformed = (entry: string) =>
  `REPLICATE_MODELS entry "${entry}" must be owner/name or owner/name=PRICE (US dollars per second of video, e.g. google/veo-3-fast=0.10)`;

/** Empty entries (a trailing comma, blank text) are skipped: they name nothing. */
function entriesOf(text: string | undefined): string[] {
  return (text ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
}

/**
 * Parses REPLICATE_MODELS (`owner/name[=PRICE],…`). `message` is the one line after `Cannot start:`, naming the
 * first bad entry. REPLICATE_MODEL comes first when the list leaves it out, else where the operator put it.
 */
export function parseModelList(
  text: string | undefined,
  defaultModel: `${string}/${string}`,
  defaultPricePerSecondUsd: number,
): ModelList {
  const entries: CatalogueEntry[] = [];
  for (const entry of entriesOf(text)) {
    const match = entryPattern.exec(entry);
    if (!match) return { ok: false, message: malformed(entry) };
    const model = match[1] as `${string}/${string}`;
    if (entries.some((e) => e.model === model)) return { ok: false, message: `REPLICATE_MODELS lists "${model}" twice` };
    const price = match[2] === undefined ? defaultPricePerSecondUsd : Number(match[2]);
    entries.push({ model, pricePerSecondUsd: price, isDefault: model === defaultModel });
  }
  if (!entries.some((e) => e.isDefault)) {
    entries.unshift({ model: defaultModel, pricePerSecondUsd: defaultPricePerSecondUsd, isDefault: true });
  }
  return { ok: true, entries };
}

/**
 * The syntax check alone, for the environment's zod schema (the default model and price are other settings, so
 * `parseModelList` runs after it). The issue's message is the line naming the bad entry.
 */
export const modelListText = z.string().superRefine((text, ctx) => {
  const bad = entriesOf(text).find((e) => !entryPattern.test(e));
  if (bad !== undefined) ctx.addIssue({ code: 'custom', message: malformed(bad) });
});
