/**
 * Checks a create's `input` against a model's Cog `Input` schema the way Replicate's API does: strict JSON Schema
 * (no coercion: "10" is not an integer), problems worded like its 422 body (`invalid_fields` plus a `detail` of
 * "- field: description" lines, gojsonschema's type names). Only the subset Cog emits: type, nullable, enum (through
 * `allOf:[{$ref}]`, a bare `$ref` or `anyOf:[{$ref},{type:"null"}]`), minimum/maximum, min/maxLength, format uri,
 * array items, required.
 */
export interface InvalidField {
  type: string;
  field: string;
  description: string;
}

/**
 * What a model does with an input key its schema lacks: `ignore` (Replicate "has historically ignored unknown
 * inputs"; Cog since 2026-04 strips them), `reject` (422 in the API's `invalid_fields` body), `reject-coglet` (a
 * coglet build's `{"detail":[{"loc":…,"msg":"Unexpected field '…'","type":"value_error.extra"}]}`).
 */
export type UnknownFields = 'ignore' | 'reject' | 'reject-coglet';

export type JsonSchema = Record<string, unknown>;
export type ComponentSchemas = Record<string, JsonSchema>;

export interface CheckResult {
  invalid: InvalidField[];
  /** Keys the schema lacks, in input order (whatever the mode). */
  unknown: string[];
}

const prefix = '#/components/schemas/';

/** The property with its enum target merged in: the target's enum/type, the property's own default/x-order win. */
export function resolveProperty(p: JsonSchema, schemas: ComponentSchemas): JsonSchema & { nullable?: boolean } {
  const { allOf, anyOf, $ref, ...own } = p as { allOf?: JsonSchema[]; anyOf?: JsonSchema[]; $ref?: string };
  const refs = [$ref, ...(allOf ?? []).map((s) => s.$ref), ...(anyOf ?? []).map((s) => s.$ref)].filter((r): r is string => typeof r === 'string');
  const nullable = (anyOf ?? []).some((s) => s.type === 'null');
  const ref = refs[0];
  const withNull = (s: JsonSchema) => (nullable ? { ...s, nullable: true } : s);
  if (ref === undefined || !ref.startsWith(prefix)) return withNull(own);
  const { title: _title, description: _description, ...target } = schemas[ref.slice(prefix.length)] ?? {};
  return withNull({ ...target, ...own });
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value: unknown, type: unknown): boolean {
  switch (type) {
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'array': return Array.isArray(value);
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'string':
    case 'boolean': return typeof value === type;
    default: return true;
  }
}

const isUri = (value: string) => URL.canParse(value);

function checkValue(value: unknown, schema: JsonSchema, path: string, schemas: ComponentSchemas, out: InvalidField[]): void {
  const s = resolveProperty(schema, schemas);
  const bad = (type: string, description: string) => out.push({ type, field: path, description });
  if (value === null) {
    if (!s.nullable) bad('invalid_type', `Invalid type. Expected: ${String(s.type ?? 'value')}, given: null`);
    return;
  }
  if (!hasType(value, s.type)) return void bad('invalid_type', `Invalid type. Expected: ${String(s.type)}, given: ${typeName(value)}`);
  const name = path.split('.').at(-1) ?? path;
  if (Array.isArray(s.enum) && !s.enum.includes(value)) {
    return void bad('enum', `${name} must be one of the following: ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) bad('number_gte', `Must be greater than or equal to ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) bad('number_lte', `Must be less than or equal to ${s.maximum}`);
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength) bad('string_gte', `String length must be greater than or equal to ${s.minLength}`);
    if (typeof s.maxLength === 'number' && value.length > s.maxLength) bad('string_lte', `String length must be less than or equal to ${s.maxLength}`);
    if (s.format === 'uri' && !isUri(value)) bad('format', "Does not match format 'uri'");
  }
  if (Array.isArray(value) && typeof s.items === 'object' && s.items !== null) {
    value.forEach((item, i) => checkValue(item, s.items as JsonSchema, `${path}.${i}`, schemas, out));
  }
}

export function checkInput(input: unknown, schemas: ComponentSchemas, unknownFields: UnknownFields): CheckResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { invalid: [{ type: 'invalid_type', field: 'input', description: `Invalid type. Expected: object, given: ${typeName(input)}` }], unknown: [] };
  }
  const schema = schemas.Input ?? {};
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const values = input as Record<string, unknown>;
  const invalid: InvalidField[] = required
    .filter((key) => !(key in values))
    .map((key) => ({ type: 'required', field: 'input', description: `${key} is required` }));
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (property) {
      checkValue(value, property, `input.${key}`, schemas, invalid);
      continue;
    }
    unknown.push(key);
    if (unknownFields === 'reject') {
      invalid.push({ type: 'additional_property_not_allowed', field: `input.${key}`, description: `Additional property ${key} is not allowed` });
    }
  }
  return { invalid, unknown };
}

export function toValidationDetail(fields: readonly InvalidField[]): string {
  return fields.map((f) => `- ${f.field}: ${f.description}\n`).join('');
}

/** A coglet build's 422 body for unexpected fields (models.md §5). */
export function toCogletBody(unknown: readonly string[]) {
  return { detail: unknown.map((key) => ({ loc: ['body', 'input', key], msg: `Unexpected field '${key}'`, type: 'value_error.extra' })) };
}
