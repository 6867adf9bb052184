import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Clock } from '../../../src/clock.js';
import type { ComponentSchemas, JsonSchema, UnknownFields } from './schema-check.js';

/** One pushed version of a model, as `latest_version` and the versions list show it. */
export interface ModelVersion {
  id: string;
  created_at: string;
  cog_version: string;
  openapi_schema: { components: { schemas: ComponentSchemas } } & Record<string, unknown>;
}

export interface FakeModel {
  owner: string;
  name: string;
  isOfficial: boolean;
  unknownFields: UnknownFields;
  /** The model JSON's other fields (url, description, run_count, …), served as they are. */
  info: Record<string, unknown>;
  /** Newest first: `versions[0]` is `latest_version`. */
  versions: ModelVersion[];
}

/** How model reads (`GET /v1/models/…`) fail until cleared: a status, or a socket destroyed unanswered. */
export type ReadFault = { status: 500 | 502 | 503 } | { reset: true };

export interface NewModel {
  owner: string;
  name: string;
  isOfficial: boolean;
  /** `components.schemas` with at least `Input` and `Output`; Cog's server types are added. */
  schemas: ComponentSchemas;
  unknownFields?: UnknownFields;
}

/** The fake's models, for tests: what `GET /v1/models/{owner}/{name}` serves and each create is checked against. */
export interface FakeModels {
  /** Every `owner/name` served. */
  list(): string[];
  /** The model JSON as `GET /v1/models/{ref}` answers it now (a copy), or undefined when not served. */
  get(ref: string): Record<string, unknown> | undefined;
  latestVersionId(ref: string): string;
  /** The latest version's `components.schemas` (a copy to edit and pass to `setSchema`). */
  schemas(ref: string): ComponentSchemas;
  /** Publishes a new version with these schemas: a new `latest_version.id`, `created_at` = the clock's now. Returns its id. */
  setSchema(ref: string, schemas: ComponentSchemas): string;
  /** `setSchema` with a copy of the latest schemas changed in place by `edit`. */
  editSchema(ref: string, edit: (schemas: ComponentSchemas) => void): string;
  /** Publishes a new version whose Input calls field `from` `to` (its place, title, `required` entry and enum schema follow). */
  renameField(ref: string, from: string, to: string): string;
  /** Serves a new model (or replaces one) with a single version; returns its id. */
  add(model: NewModel): string;
  /** Stops serving a model: reads and creates answer 404. */
  remove(ref: string): void;
  /** How the model answers input keys its schema lacks (see `UnknownFields`). */
  setUnknownFields(ref: string, mode: UnknownFields): void;
  /** Makes every model read fail this way until `failReads(null)`; creates and predictions are untouched. */
  failReads(fault: ReadFault | null): void;
}

const fixtureDir = new URL('./models/', import.meta.url);
const template = 'kwaivgi__kling-v1.6-standard.json';
const serverTypes = ['Status', 'WebhookEvent', 'ValidationError', 'PredictionRequest', 'PredictionResponse', 'HTTPValidationError'];

/** Postgres `jsonb` key order (shorter first, then bytewise), the order Replicate's answers come in. */
const byJsonb = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** Replicate's timestamps carry microseconds. */
const micros = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

const titleOf = (field: string) => field.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');

function readFixture(file: string): FakeModel {
  const raw = JSON.parse(readFileSync(new URL(file, fixtureDir), 'utf8')) as Record<string, unknown>;
  const { 'x-fixture': note, owner, name, is_official, latest_version, ...info } = raw as {
    'x-fixture': { unknownFields: UnknownFields };
    owner: string;
    name: string;
    is_official: boolean;
    latest_version: ModelVersion;
  } & Record<string, unknown>;
  return { owner, name, isOfficial: is_official, unknownFields: note.unknownFields, info, versions: [latest_version] };
}

export class ModelCatalogue implements FakeModels {
  private readonly models = new Map<string, FakeModel>();
  private readonly envelope: ModelVersion['openapi_schema'];
  readFault: ReadFault | null = null;

  constructor(private readonly clock: Clock) {
    for (const file of readdirSync(fixtureDir).filter((f) => f.endsWith('.json')).sort()) {
      const model = readFixture(file);
      this.models.set(`${model.owner}/${model.name}`, model);
    }
    this.envelope = readFixture(template).versions[0]!.openapi_schema;
  }

  find(ref: string): FakeModel | undefined {
    return this.models.get(ref);
  }

  /** The model holding a version id, whichever version it is. */
  findVersion(id: string): { model: FakeModel; version: ModelVersion } | undefined {
    for (const model of this.models.values()) {
      const version = model.versions.find((v) => v.id === id);
      if (version) return { model, version };
    }
    return undefined;
  }

  list(): string[] {
    return [...this.models.keys()];
  }

  get(ref: string): Record<string, unknown> | undefined {
    const model = this.models.get(ref);
    return model ? structuredClone(toModelJson(model)) : undefined;
  }

  latestVersionId(ref: string): string {
    return this.require(ref).versions[0]!.id;
  }

  schemas(ref: string): ComponentSchemas {
    return structuredClone(this.require(ref).versions[0]!.openapi_schema.components.schemas);
  }

  setSchema(ref: string, schemas: ComponentSchemas): string {
    const model = this.require(ref);
    const version = this.newVersion(schemas, model.versions[0]?.cog_version ?? '0.16.8');
    model.versions.unshift(version);
    return version.id;
  }

  editSchema(ref: string, edit: (schemas: ComponentSchemas) => void): string {
    const schemas = this.schemas(ref);
    edit(schemas);
    return this.setSchema(ref, schemas);
  }

  renameField(ref: string, from: string, to: string): string {
    return this.editSchema(ref, (schemas) => renameInputField(schemas, from, to));
  }

  add(spec: NewModel): string {
    const version = this.newVersion(spec.schemas, '0.16.8');
    this.models.set(`${spec.owner}/${spec.name}`, {
      owner: spec.owner,
      name: spec.name,
      isOfficial: spec.isOfficial,
      unknownFields: spec.unknownFields ?? 'ignore',
      info: { url: `https://replicate.com/${spec.owner}/${spec.name}`, run_count: 0, visibility: 'public', description: null, default_example: null },
      versions: [version],
    });
    return version.id;
  }

  remove(ref: string): void {
    this.models.delete(ref);
  }

  setUnknownFields(ref: string, mode: UnknownFields): void {
    this.require(ref).unknownFields = mode;
  }

  failReads(fault: ReadFault | null): void {
    this.readFault = fault;
  }

  private require(ref: string): FakeModel {
    const model = this.models.get(ref);
    if (!model) throw new Error(`the fake Replicate serves no model ${ref}`);
    return model;
  }

  private newVersion(schemas: ComponentSchemas, cogVersion: string): ModelVersion {
    const server = Object.entries(this.envelope.components.schemas).filter(([key]) => serverTypes.includes(key));
    const merged = Object.fromEntries([...server, ...Object.entries(structuredClone(schemas))].sort(([a], [b]) => byJsonb(a, b)));
    return {
      id: randomBytes(32).toString('hex'),
      created_at: micros(this.clock.now()),
      cog_version: cogVersion,
      openapi_schema: { ...structuredClone(this.envelope), components: { schemas: merged } },
    };
  }
}

export function toModelJson(model: FakeModel): Record<string, unknown> {
  return { ...model.info, owner: model.owner, name: model.name, is_official: model.isOfficial, latest_version: model.versions[0] ?? null };
}

/** Renames an Input property where it stands, with its `required` entry and (as Cog names it) its enum schema. */
function renameInputField(schemas: ComponentSchemas, from: string, to: string): void {
  const input = schemas.Input as { properties: Record<string, JsonSchema>; required?: string[] };
  const property = input.properties[from];
  if (!property) throw new Error(`Input has no field ${from}`);
  const target = `#/components/schemas/${from}`;
  const allOf = property.allOf as { $ref?: string }[] | undefined;
  if (allOf?.[0]?.$ref === target && schemas[from]) {
    allOf[0].$ref = `#/components/schemas/${to}`;
    schemas[to] = { ...schemas[from], title: to };
    delete schemas[from];
  }
  if (typeof property.title === 'string') property.title = titleOf(to);
  input.properties = Object.fromEntries(Object.entries(input.properties).map(([key, value]) => [key === from ? to : key, value]));
  if (input.required) input.required = input.required.map((key) => (key === from ? to : key));
}
