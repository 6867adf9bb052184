import type { ApplicationCommandOptionChoiceData, AutocompleteInteraction } from 'discord.js';
import { findOffered, modelName, type OfferedModel } from '../src/models/offered.js';
import type { Role } from '../src/models/roles.js';
import { valuesFor } from '../src/models/to-input.js';
import { roleIdsOf } from './start-job.js';
import type { CommandContext } from './types.js';

/** Discord shows at most 25 choices, and a choice's name and string value are 1 to 100 characters. */
const maxChoices = 25;
const cut = (text: string) => (text.length > 100 ? `${text.slice(0, 99)}…` : text);

const roleOfOption: Readonly<Record<string, Role>> = { aspect_ratio: 'aspect_ratio', duration: 'duration', resolution: 'resolution' };

/**
 * What /video suggests while an option is typed: for `model` the offered models (label or owner/name, the default
 * first); for the others the values the chosen model takes (the default model when none is chosen yet). Only
 * hints: Discord lets any value through, and /video checks it against the model's schema before acknowledging.
 */
export function suggestVideoOption(interaction: AutocompleteInteraction, ctx: CommandContext): ApplicationCommandOptionChoiceData[] {
  const guildId = interaction.guildId;
  if (!guildId) return [];
  const focused = interaction.options.getFocused(true);
  const typed = String(focused.value).trim().toLowerCase();
  const offered = ctx.models.list(guildId, roleIdsOf(interaction));
  if (focused.name === 'model') {
    return offered
      .filter((m) => !typed || m.model.toLowerCase().includes(typed) || m.label?.toLowerCase().includes(typed))
      .slice(0, maxChoices)
      .map((m) => ({ name: cut(modelName(m)), value: m.model }));
  }
  const role = roleOfOption[focused.name];
  if (!role) return [];
  const model = chosenModel(offered, interaction.options.getString('model'), ctx.models.defaultOf(guildId));
  const values = model ? valuesFor(role, model.roles) ?? [] : [];
  return values
    .filter((v) => !typed || String(v).toLowerCase().startsWith(typed))
    .slice(0, maxChoices)
    .map((v) => (role === 'duration' ? { name: `${v} seconds`, value: Number(v) } : { name: cut(String(v)), value: String(v) }));
}

function chosenModel(offered: readonly OfferedModel[], typed: string | null, defaultModel: string): OfferedModel | undefined {
  return typed?.trim() ? findOffered(offered, typed) : offered.find((m) => m.model === defaultModel);
}
