import type { ModelRegistry } from './registry.js';
import type { ModelRoles } from './roles.js';

/** A model a member may pick in /video: its owner/name, the models file's label, and its roles. */
export interface OfferedModel {
  model: string;
  label?: string;
  roles: ModelRoles;
}

/** Which models a guild's members may pick, and which one runs when they pick none. */
export interface OfferedModels {
  /** REPLICATE_MODEL: what a job that records no model runs on. */
  readonly operatorDefault: string;
  /** The default model of the guild (owner/name). */
  defaultOf(guildId: string): string;
  /**
   * The models a member with these roles may pick in the guild, its default first (a model whose schema was never
   * read is absent).
   */
  list(guildId: string, roleIds: readonly string[]): OfferedModel[];
}

/** The guild's rules (/video-admin models): which models a member may use, and the server default. */
export interface GuildModelRules {
  modelsFor(guildId: string, roleIds: readonly string[]): { allowed: string[]; defaultModel: string } | undefined;
}

/** What each guild's moderators allow (`rules`), over the models the registry can run. */
export function guildOfferedModels(registry: Pick<ModelRegistry, 'list' | 'defaultModel'>, rules: GuildModelRules): OfferedModels {
  const every = everyCatalogueModel(registry);
  return {
    operatorDefault: registry.defaultModel,
    // The server default is open to everyone (the moderators' rules refuse anything else): no roles needed.
    defaultOf: (guildId) => rules.modelsFor(guildId, [])?.defaultModel ?? registry.defaultModel,
    list: (guildId, roleIds) => {
      const decided = rules.modelsFor(guildId, roleIds);
      if (!decided) return every.list(guildId, roleIds);
      const runnable = registry.list().filter((m) => decided.allowed.includes(m.model));
      const first = runnable.filter((m) => m.model === decided.defaultModel);
      return [...first, ...runnable.filter((m) => m.model !== decided.defaultModel)];
    },
  };
}

/**
 * Every catalogue model is offered everywhere and the operator's REPLICATE_MODEL is every guild's default: the one
 * place a guild's own allow/deny/default policy (/video-admin models) replaces.
 */
export function everyCatalogueModel(registry: Pick<ModelRegistry, 'list' | 'defaultModel'>): OfferedModels {
  return {
    operatorDefault: registry.defaultModel,
    defaultOf: () => registry.defaultModel,
    list: () => {
      const all = registry.list();
      return [...all.filter((m) => m.model === registry.defaultModel), ...all.filter((m) => m.model !== registry.defaultModel)];
    },
  };
}

/** The offered model a member typed: its owner/name or its label, either case. */
export function findOffered(offered: readonly OfferedModel[], typed: string): OfferedModel | undefined {
  const wanted = typed.trim().toLowerCase();
  return offered.find((m) => m.model.toLowerCase() === wanted || m.label?.toLowerCase() === wanted);
}

/** How a model is named to members: its label with its owner/name, or its owner/name. */
export function modelName(model: Pick<OfferedModel, 'model' | 'label'>): string {
  return model.label ? `${model.label} (${model.model})` : model.model;
}
