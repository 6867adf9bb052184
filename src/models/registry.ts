import type { Logger } from 'pino';
import type { Clock, Timer } from '../clock.js';
import type { CatalogueEntry } from './catalogue.js';
import type { ModelsFile } from './models-file.js';
import { rolesOf, type ModelRoles } from './roles.js';
import { readModelSchema, type ModelSchema } from './schema.js';

/** A catalogue model the bot can drive: its price, its schema's roles, and when that schema was read. */
export interface RunnableModel extends CatalogueEntry {
  /** The models file's label for it, when it gives one. */
  label?: string;
  roles: ModelRoles;
  /** When the schema was read from Replicate (epoch ms); older than the start when it is the stored copy. */
  readAt: number;
}

/** How a prediction of a model is created (reference/models.md §2): official by name, community by version id. */
export type CreateTarget = { model: `${string}/${string}` } | { version: string };

/** Ports the registry reads and keeps schemas through (wired in bot.ts; fakes in the unit tests). */
export interface RegistryPorts {
  /** `GET /v1/models/{owner}/{name}`'s answer; undefined when Replicate says there is no such model (404). Throws when it could not ask. */
  read(model: string): Promise<unknown>;
  /** The stored copies (storage/model-schemas.ts). */
  copies: {
    load(model: string): Promise<{ schema: ModelSchema; readAt: number } | undefined>;
    save(stored: { schema: ModelSchema; readAt: number }): Promise<void>;
  };
}

export interface RegistryOptions extends RegistryPorts {
  entries: readonly CatalogueEntry[];
  modelsFile: ModelsFile;
  clock: Clock;
  log: Logger;
  /** Plain lines for the operator at start (a model left out). */
  notice?: (line: string) => void;
  /** How often every schema is read again (default hourly). */
  refreshEveryMs?: number;
  /** How soon a model whose schema could not be read at all is asked again (default 60 s). */
  retryUnreadMs?: number;
}

export interface ModelRegistry {
  /** REPLICATE_MODEL. */
  readonly defaultModel: `${string}/${string}`;
  /** The usable models, in catalogue order. */
  list(): RunnableModel[];
  get(model: string): RunnableModel | undefined;
  /**
   * How to create a prediction of `model`. The default model whose schema was never read (Replicate down at the
   * first start) is run by name, as the bot always did.
   */
  createTarget(model: string): CreateTarget;
  /** Reads the model's schema again now (after a 422, say); resolves once it is read or the read failed. */
  refresh(model: string): Promise<void>;
  stop(): void;
}

/** The default model cannot be driven: `message` is the line after `Cannot start:`. */
export class DefaultModelUnusable extends Error {
  override name = 'DefaultModelUnusable';
}

export const refreshEveryMs = 60 * 60 * 1000;

type Reading =
  | { kind: 'usable'; model: RunnableModel; schema: ModelSchema }
  | { kind: 'unusable'; reason: string }
  | { kind: 'not-found' }
  | { kind: 'unreachable'; reason: string };

/**
 * Reads every catalogue model's schema (falling back to the stored copy when Replicate cannot be asked), leaves out
 * with one warning each the models it cannot drive, and rejects with DefaultModelUnusable when REPLICATE_MODEL is
 * one of them. Then reads them all again every `refreshEveryMs`.
 */
export async function startModelRegistry(options: RegistryOptions): Promise<ModelRegistry> {
  const { entries, clock, log } = options;
  const every = options.refreshEveryMs ?? refreshEveryMs;
  const retryUnreadMs = options.retryUnreadMs ?? 60_000;
  const defaultEntry = entries.find((e) => e.isDefault)!;
  const usable = new Map<string, RunnableModel>();
  const unread = new Set<string>();
  let timer: Timer | undefined;
  let stopped = false;

  function runnable(entry: CatalogueEntry, schema: ModelSchema, readAt: number): Reading {
    const override = options.modelsFile[entry.model];
    const roles = rolesOf(schema, override);
    if (!roles.ok) return { kind: 'unusable', reason: roles.reason };
    const label = override?.label;
    return { kind: 'usable', schema, model: { ...entry, ...(label ? { label } : {}), roles: roles.roles, readAt } };
  }

  async function readFresh(entry: CatalogueEntry): Promise<Reading> {
    let json: unknown;
    try {
      json = await options.read(entry.model);
    } catch (err) {
      return { kind: 'unreachable', reason: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
    }
    if (json === undefined) return { kind: 'not-found' };
    const reading = readModelSchema(json);
    if (!reading.ok) return { kind: 'unusable', reason: reading.reason };
    if (reading.schema.model !== entry.model) return { kind: 'unusable', reason: `Replicate answered ${reading.schema.model} for ${entry.model}` };
    return runnable(entry, reading.schema, clock.now());
  }

  async function stored(entry: CatalogueEntry): Promise<{ schema: ModelSchema; readAt: number } | undefined> {
    try {
      return await options.copies.load(entry.model);
    } catch (err) {
      log.warn({ err, model: entry.model }, 'stored model schema not read');
      return undefined;
    }
  }

  async function keep(reading: Extract<Reading, { kind: 'usable' }>): Promise<void> {
    const before = usable.get(reading.model.model);
    usable.set(reading.model.model, reading.model);
    unread.delete(reading.model.model);
    if (before && before.roles.schema.versionId !== reading.schema.versionId) {
      log.info({ model: reading.model.model, from: before.roles.schema.versionId, to: reading.schema.versionId }, 'model schema changed');
    }
    await options.copies.save({ schema: reading.schema, readAt: reading.model.readAt }).catch((err: unknown) => {
      log.warn({ err, model: reading.model.model }, 'model schema not stored; the next read stores it');
    });
  }

  /** At start: the fresh schema, else (Replicate not asked, or 404) the stored copy; a reason when neither serves. */
  async function load(entry: CatalogueEntry): Promise<string | undefined> {
    const fresh = await readFresh(entry);
    if (fresh.kind === 'usable') {
      await keep(fresh);
      return undefined;
    }
    if (fresh.kind === 'unusable') return fresh.reason;
    const why = fresh.kind === 'not-found' ? 'Replicate has no such model' : `its schema could not be read (${fresh.reason})`;
    const copy = await stored(entry);
    if (copy) {
      const fromCopy = runnable(entry, copy.schema, copy.readAt);
      if (fromCopy.kind === 'unusable') return fromCopy.reason;
      if (fromCopy.kind === 'usable') usable.set(entry.model, fromCopy.model);
      log.warn({ model: entry.model, readAt: new Date(copy.readAt).toISOString(), reason: why }, 'model schema from the stored copy');
      if (fresh.kind === 'unreachable') unread.add(entry.model);
      return undefined;
    }
    if (fresh.kind === 'not-found') return `${entry.model}: ${why}`;
    unread.add(entry.model);
    if (entry.isDefault) {
      // Replicate down at the very first start must not keep the bot down: the default runs by name, as before.
      log.warn({ model: entry.model, reason: fresh.reason }, 'default model schema not read; running it by name until it is');
      return undefined;
    }
    return `${entry.model}: ${why}; asked again in a minute`;
  }

  async function refreshOne(model: string): Promise<void> {
    const entry = entries.find((e) => e.model === model);
    if (!entry || stopped) return;
    const fresh = await readFresh(entry);
    if (fresh.kind === 'usable') {
      if (!usable.has(model)) log.info({ model }, 'model schema read; the model is usable');
      await keep(fresh);
      return;
    }
    if (fresh.kind === 'unreachable') {
      log.warn({ model, reason: fresh.reason }, 'model schema not read; keeping the last copy');
      return;
    }
    const reason = fresh.kind === 'not-found' ? `${model}: Replicate has no such model` : fresh.reason;
    unread.delete(model);
    // The default model keeps running on its last schema: members' jobs fail at Replicate rather than not start.
    if (entry.isDefault || !usable.has(model)) {
      log.warn({ model, reason }, 'model schema unusable; keeping the last copy');
      return;
    }
    usable.delete(model);
    log.warn({ model, reason }, 'model left out');
  }

  function schedule(): void {
    if (stopped) return;
    const ms = unread.size > 0 ? Math.min(retryUnreadMs, every) : every;
    timer = clock.setTimer(ms, () => {
      // Unread models are asked on the short timer; everything on the long one.
      const due = ms === every ? entries.map((e) => e.model) : [...unread];
      void Promise.all(due.map((m) => refreshOne(m))).finally(schedule);
    });
  }

  const reasons = await Promise.all(entries.map(async (entry) => ({ entry, reason: await load(entry) })));
  for (const { entry, reason } of reasons) {
    if (reason === undefined) continue;
    if (entry.isDefault) throw new DefaultModelUnusable(`the default model (REPLICATE_MODEL) cannot be run: ${reason}`);
    log.warn({ model: entry.model, reason }, 'model left out');
    options.notice?.(`Model ${entry.model} left out: ${reason}`);
  }
  log.info({ models: entries.filter((e) => usable.has(e.model)).map((e) => e.model) }, 'models ready');
  schedule();

  return {
    defaultModel: defaultEntry.model,
    list: () => entries.flatMap((e) => usable.get(e.model) ?? []),
    get: (model) => usable.get(model),
    createTarget(model) {
      const schema = usable.get(model)?.roles.schema;
      if (!schema || schema.official) return { model: model as `${string}/${string}` };
      return { version: schema.versionId };
    },
    refresh: (model) => refreshOne(model),
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}
