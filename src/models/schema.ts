/**
 * A Replicate model's input, read from `GET /v1/models/{owner}/{name}`: the fields of
 * `latest_version.openapi_schema.components.schemas.Input`, enums resolved, in the order Replicate shows them.
 * Everything the bot later checks before the acknowledgement comes from here, so nothing needs I/O then.
 */
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'unknown';

export interface SchemaField {
  name: string;
  type: FieldType;
  enum?: readonly (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  /** OpenAPI 3.0 `nullable`, or `anyOf [x, {type: null}]`: the field may be left out. We never send null. */
  nullable: boolean;
  /** `format: uri`: a file, sent as an HTTP(S) or data URL. */
  isFile: boolean;
  /** `deprecated: true`: never picked by name (kling-v2.5 keeps `image` beside `start_image`). */
  deprecated: boolean;
  /** `x-order`, when the field has one. */
  order?: number;
  description?: string;
}

export interface ModelSchema {
  model: `${string}/${string}`;
  /** Official models are run by name; others need `versionId` (reference/models.md §2). */
  official: boolean;
  versionId: string;
  /** By `x-order`, then the fields without it by name: key order on the wire means nothing. */
  fields: readonly SchemaField[];
  required: readonly string[];
}

export type SchemaReading = { ok: true; schema: ModelSchema } | { ok: false; reason: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const prefix = '#/components/schemas/';

class Unusable extends Error {}

/** Reads a model; `reason` is one line for the operator when the bot cannot drive it. */
export function readModelSchema(modelJson: unknown): SchemaReading {
  if (!isObject(modelJson) || typeof modelJson.owner !== 'string' || typeof modelJson.name !== 'string') {
    return { ok: false, reason: 'the model answer is not a model' };
  }
  const model = `${modelJson.owner}/${modelJson.name}` as const;
  const version = modelJson.latest_version;
  if (!isObject(version) || typeof version.id !== 'string') return { ok: false, reason: `${model} has no published version` };
  const openapi = version.openapi_schema;
  const schemas = isObject(openapi) && isObject(openapi.components) ? openapi.components.schemas : undefined;
  const input = isObject(schemas) ? schemas.Input : undefined;
  if (!isObject(schemas) || !isObject(input) || !isObject(input.properties)) {
    return { ok: false, reason: `${model} publishes no input schema` };
  }
  try {
    const fields = Object.entries(input.properties).map(([name, p]) => toField(name, resolve(name, p, schemas)));
    fields.sort(byOrderThenName);
    const required = Array.isArray(input.required) ? input.required.filter((r): r is string => typeof r === 'string') : [];
    return { ok: true, schema: { model, official: modelJson.is_official === true, versionId: version.id, fields, required } };
  } catch (err) {
    if (err instanceof Unusable) return { ok: false, reason: `${model}: ${err.message}` };
    throw err;
  }
}

/**
 * Merges a Cog enum reference into its property: `enum` and `type` from the target, the property's own `default`,
 * `x-order` and `description` kept (taking only the target, as some readers do, loses them). Handles `allOf [ref]`,
 * a bare `$ref`, and `anyOf [x, {type: null}]`, which also makes the field nullable.
 */
function resolve(name: string, raw: unknown, schemas: Json, depth = 0): Json {
  if (!isObject(raw)) throw new Unusable(`the input field ${name} is not a schema`);
  const { allOf, anyOf, $ref, ...own } = raw;
  if (Array.isArray(anyOf)) {
    const kinds = anyOf.filter((k) => !(isObject(k) && k.type === 'null'));
    if (kinds.length === 1) {
      const inner = resolve(name, kinds[0], schemas, depth + 1);
      return { ...inner, ...own, nullable: own.nullable ?? kinds.length < anyOf.length };
    }
  }
  const ref = $ref ?? (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0]) ? allOf[0].$ref : undefined);
  if (ref === undefined) return raw;
  const target = typeof ref === 'string' && ref.startsWith(prefix) ? schemas[ref.slice(prefix.length)] : undefined;
  if (!isObject(target) || depth > 4) {
    throw new Unusable(`the input field ${name} refers to ${String(ref)}, which the schema lacks`);
  }
  const { title: _title, description: _description, ...rest } = resolve(name, target, schemas, depth + 1);
  return { ...rest, ...own };
}

function toField(name: string, p: Json): SchemaField {
  const values = Array.isArray(p.enum) ? p.enum.filter((v) => typeof v === 'string' || typeof v === 'number') : undefined;
  const field: SchemaField = {
    name,
    type: typeOf(p.type, values),
    nullable: p.nullable === true,
    isFile: p.format === 'uri',
    deprecated: p.deprecated === true,
  };
  if (values !== undefined) field.enum = values;
  if ('default' in p && p.default !== null) field.default = p.default;
  if (typeof p.minimum === 'number') field.minimum = p.minimum;
  if (typeof p.maximum === 'number') field.maximum = p.maximum;
  if (typeof p['x-order'] === 'number') field.order = p['x-order'];
  if (typeof p.description === 'string') field.description = p.description;
  return field;
}

const types = new Set<FieldType>(['string', 'integer', 'number', 'boolean', 'array', 'object']);

function typeOf(type: unknown, values: readonly (string | number)[] | undefined): FieldType {
  if (types.has(type as FieldType)) return type as FieldType;
  if (values?.every((v) => typeof v === 'string')) return 'string';
  if (values?.every((v) => Number.isInteger(v))) return 'integer';
  return 'unknown';
}

function byOrderThenName(a: SchemaField, b: SchemaField): number {
  if (a.order !== undefined && b.order !== undefined && a.order !== b.order) return a.order - b.order;
  if (a.order !== undefined && b.order === undefined) return -1;
  if (b.order !== undefined && a.order === undefined) return 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
