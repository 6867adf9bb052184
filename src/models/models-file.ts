import { z } from 'zod';
import { roles } from './roles.js';

/**
 * The optional models file (JSON, read once at start): per `owner/name`, a `label` for the model's choice,
 * `fields` mapping a role to the model's field where the role table guesses wrong (null: the model does not take
 * that role), and `fixed` inputs sent with every job (e.g. `"prompt_optimizer": false`). Checked against the model's
 * schema by rolesOf once the schema is read.
 */
const fieldName = z.string().regex(/^\w+$/);
const modelEntry = z.strictObject({
  label: z.string().trim().min(1).max(100).optional(),
  fields: z.partialRecord(z.enum(roles), fieldName.nullable()).optional(),
  fixed: z.record(fieldName, z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export const modelsFileSchema = z.record(z.string().regex(/^[\w.-]+\/[\w.-]+$/), modelEntry);

export type ModelsFile = z.infer<typeof modelsFileSchema>;
export type ModelOverride = z.infer<typeof modelEntry>;

export type ModelsFileReading = { ok: true; file: ModelsFile } | { ok: false; message: string };

/** Parses the file's text; `message` is one line naming the file (`source`) and the first thing wrong. */
export function parseModelsFile(text: string, source: string): ModelsFileReading {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `${source} is not valid JSON: ${(err as Error).message}` };
  }
  const result = modelsFileSchema.safeParse(json);
  if (result.success) return { ok: true, file: result.data };
  return { ok: false, message: describe(result.error.issues[0]!, source) };
}

/** The validation library's words never reach the operator: each place in the file has its own sentence. */
function describe(issue: z.core.$ZodIssue, source: string): string {
  const [model, setting, key] = issue.path.map(String);
  if (model === undefined) return `${source} must be a JSON object of models by owner/name`;
  if (setting === undefined) {
    if (issue.code === 'invalid_key') return `${source}: "${model}" is not owner/name`;
    if (issue.code === 'unrecognized_keys') {
      return `${source}: ${model} has an unknown setting "${issue.keys[0]}" (known: label, fields, fixed)`;
    }
    return `${source}: ${model} must be an object with label, fields or fixed`;
  }
  if (setting === 'label') return `${source}: ${model} label must be 1 to 100 characters`;
  if (setting === 'fields') {
    if (issue.code === 'unrecognized_keys') {
      return `${source}: ${model} fields: "${issue.keys[0]}" is not a role (roles: ${roles.join(', ')})`;
    }
    if (key === undefined) return `${source}: ${model} fields must be an object of role: field name`;
    return `${source}: ${model} fields.${key} must be a field name of the model, or null`;
  }
  if (key === undefined) return `${source}: ${model} fixed must be an object of field name: value`;
  if (issue.code === 'invalid_key') return `${source}: ${model} fixed: "${key}" is not a field name`;
  return `${source}: ${model} fixed.${key} must be text, a number, or true/false`;
}
