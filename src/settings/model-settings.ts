import type { CatalogueEntry } from '../models/catalogue.js';

/**
 * Which of the operator's models a server allows, to whom, and its default. Stored in the guild's settings by model
 * name; an entry naming a model the operator no longer offers stays stored but counts for nothing (the catalogue
 * decides what exists). Every catalogue model is allowed to everyone until a moderator changes it.
 */
export interface ModelSettings {
  /** Models no one here may use. */
  denied: string[];
  /** Models limited to roles: a member needs one of them. A model absent here is open to everyone. */
  roles: Record<string, string[]>;
  /** The server's default; absent = the operator's (REPLICATE_MODEL). */
  defaultModel?: string;
}

/** The operator's models as the settings read them (the model registry: the models the bot can run now). */
export interface ModelCatalogue {
  readonly defaultModel: string;
  list(): readonly (CatalogueEntry & { label?: string })[];
}

export type ModelChange =
  | { kind: 'models-allow'; model: string; roleId?: string }
  | { kind: 'models-deny'; model: string }
  | { kind: 'models-default'; model: string };

export function emptyModelSettings(): ModelSettings {
  return { denied: [], roles: {} };
}

/** The server default in force: the stored one while the operator offers it and it is open to everyone. */
export function defaultModelOf(settings: ModelSettings, catalogue: ModelCatalogue): string {
  const stored = settings.defaultModel;
  const offered = stored !== undefined && catalogue.list().some((e) => e.model === stored);
  return offered && !settings.denied.includes(stored) && !settings.roles[stored] ? stored : catalogue.defaultModel;
}

/** Who may use a catalogue model here: 'everyone', 'no one', or the roles it is limited to. */
export function accessOf(settings: ModelSettings, catalogue: ModelCatalogue, model: string): 'everyone' | 'no one' | string[] {
  // The default in force is always usable: a member always has one model to run.
  if (model === defaultModelOf(settings, catalogue)) return 'everyone';
  if (settings.denied.includes(model)) return 'no one';
  return settings.roles[model] ?? 'everyone';
}

/**
 * The models a member with these roles may run here (catalogue order) and the server's default (always among
 * them). What /video offers and accepts.
 */
export function modelsFor(
  settings: ModelSettings | { models: ModelSettings },
  catalogue: ModelCatalogue,
  roleIds: readonly string[],
): { allowed: string[]; defaultModel: string } {
  const s = 'models' in settings ? settings.models : settings;
  const allowed = catalogue.list().flatMap(({ model }) => {
    const access = accessOf(s, catalogue, model);
    if (access === 'everyone') return [model];
    if (access === 'no one') return [];
    return access.some((id) => roleIds.includes(id)) ? [model] : [];
  });
  return { allowed, defaultModel: defaultModelOf(s, catalogue) };
}

/** Stored entries of models the operator no longer offers (ignored; `models list` names them). */
export function modelsNoLongerOffered(settings: ModelSettings, catalogue: ModelCatalogue): string[] {
  const offered = new Set<string>(catalogue.list().map((e) => e.model));
  const named = [...settings.denied, ...Object.keys(settings.roles), ...(settings.defaultModel ? [settings.defaultModel] : [])];
  return [...new Set(named)].filter((m) => !offered.has(m));
}

const roleMention = (id: string) => `<@&${id}>`;

export function describeAccess(access: 'everyone' | 'no one' | string[]): string {
  if (access === 'no one') return 'not allowed';
  return access === 'everyone' ? 'everyone' : access.map(roleMention).join(', ');
}

/**
 * Applies one models change to `s` (a copy the caller owns). Returns what changed, from what to what, or a refusal
 * saying what to do instead; `s` is left unchanged on a refusal.
 */
export function applyModelChange(s: ModelSettings, change: ModelChange, catalogue: ModelCatalogue): { changes: string[] } | { error: string } {
  const { model } = change;
  if (!catalogue.list().some((e) => e.model === model)) {
    return { error: `“${model.slice(0, 100)}” is not one of the models this bot offers: pick one from the list (\`/video-admin models list\`).` };
  }
  const isDefault = model === defaultModelOf(s, catalogue);
  const before = describeAccess(accessOf(s, catalogue, model));
  switch (change.kind) {
    case 'models-allow':
      if (change.roleId === undefined) {
        delete s.roles[model];
      } else {
        if (isDefault) return { error: `${model} is the server default, open to everyone: make another model the default first (\`/video-admin models default\`).` };
        const limited = s.denied.includes(model) ? [] : (s.roles[model] ?? []);
        s.roles[model] = limited.includes(change.roleId) ? limited : [...limited, change.roleId];
      }
      s.denied = s.denied.filter((m) => m !== model);
      break;
    case 'models-deny':
      if (isDefault) return { error: `${model} is the server default: make another model the default first (\`/video-admin models default\`).` };
      delete s.roles[model];
      if (!s.denied.includes(model)) s.denied.push(model);
      break;
    case 'models-default': {
      const access = accessOf(s, catalogue, model);
      if (access === 'no one') return { error: `${model} is not allowed in this server: allow it first (\`/video-admin models allow model:${model}\`).` };
      if (access !== 'everyone') {
        return { error: `${model} is limited to some roles: the server default must be open to everyone (\`/video-admin models allow model:${model}\` without a role).` };
      }
      const from = defaultModelOf(s, catalogue);
      if (model === catalogue.defaultModel) delete s.defaultModel;
      else s.defaultModel = model;
      return { changes: from === model ? [] : [`default model: ${from} → ${model}`] };
    }
  }
  const after = describeAccess(accessOf(s, catalogue, model));
  return { changes: before === after ? [] : [`${model}: ${before} → ${after}`] };
}
