import type { APIEmbed, APIApplicationCommandOptionChoice } from 'discord.js';
import { accessOf, defaultModelOf, describeAccess, modelsNoLongerOffered, type ModelCatalogue, type ModelSettings } from './model-settings.js';

const price = (usd: number) => `$${usd.toFixed(3)}/s`;

/**
 * `/video-admin models list`: every model the operator offers with its price per second, who may use it here, and
 * the server default; stored settings of models no longer offered are named as ignored.
 */
export function renderModels(settings: ModelSettings, catalogue: ModelCatalogue): APIEmbed {
  const defaultModel = defaultModelOf(settings, catalogue);
  const lines = catalogue.list().map((entry) => {
    const name = entry.label ? `${entry.label} (\`${entry.model}\`)` : `\`${entry.model}\``;
    const access = describeAccess(accessOf(settings, catalogue, entry.model));
    const allowed = access === 'not allowed' ? '⛔ not allowed' : access === 'everyone' ? '✅ everyone' : `✅ only ${access}`;
    return `${entry.model === defaultModel ? '⭐ ' : ''}${name} · ${price(entry.pricePerSecondUsd)} · ${allowed}`;
  });
  const fields = [{ name: 'Server default', value: `\`${defaultModel}\`${settings.defaultModel === defaultModel ? '' : " (the operator's default)"}` }];
  const gone = modelsNoLongerOffered(settings, catalogue);
  if (gone.length) {
    fields.push({ name: 'No longer offered', value: cut(`Settings stored for ${gone.map((m) => `\`${m}\``).join(', ')} are ignored: the operator no longer offers ${gone.length === 1 ? 'it' : 'them'}.`, 1000) });
  }
  return { title: `Video models (${lines.length})`, description: cut(lines.join('\n'), 4000), fields, color: 0x5865f2 };
}

/** The `settings` embed's one-field summary. */
export function summarizeModels(settings: ModelSettings, catalogue: ModelCatalogue): string {
  const all = catalogue.list();
  const allowed = all.filter((e) => accessOf(settings, catalogue, e.model) !== 'no one').length;
  const limited = all.filter((e) => Array.isArray(accessOf(settings, catalogue, e.model))).length;
  return `default \`${defaultModelOf(settings, catalogue)}\`; ${allowed} of ${all.length} allowed${limited ? ` (${limited} only to some roles)` : ''}; see \`/video-admin models list\``;
}

/** Autocomplete over the catalogue: models whose name or label contains what was typed, at most Discord's 25. */
export function modelChoices(catalogue: ModelCatalogue, typed: string): APIApplicationCommandOptionChoice<string>[] {
  const needle = typed.trim().toLowerCase();
  return catalogue
    .list()
    .filter((e) => e.model.length <= 100 && (e.model.toLowerCase().includes(needle) || (e.label ?? '').toLowerCase().includes(needle)))
    .slice(0, 25)
    .map((e) => ({ name: cut(`${e.label ? `${e.label} · ` : ''}${e.model} · ${price(e.pricePerSecondUsd)}`, 100), value: e.model }));
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
