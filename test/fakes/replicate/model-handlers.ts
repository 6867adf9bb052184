import type { FakeModel } from './model-catalogue.js';
import { toModelJson } from './model-catalogue.js';
import type { ComponentSchemas, UnknownFields } from './schema-check.js';
import { problem, type FakeState, type Reply } from './state.js';

/** Which model and version a create runs, and the schema its input is checked against. */
export interface CreateTarget {
  model: string;
  /** `"hidden"` for an official model, as Replicate shows it; else the version id. */
  version: string;
  schemas: ComponentSchemas;
  unknownFields: UnknownFields;
}

/** Replicate's 404 for a path it knows nothing of (no `title`: replicate/replicate-javascript#347). */
export const resourceNotFound = (): Reply => ({
  status: 404,
  headers: { 'content-type': 'application/problem+json' },
  body: { detail: 'The requested resource could not be found.', status: 404 },
});

/** An official model's version id, an unknown id, `owner/name:latest`, or a community model by name. */
export const invalidVersion = (): Reply =>
  problem(422, 'Invalid version or not permitted', "The specified version does not exist (or perhaps you don't have permission to use it?)");

const refOf = (m: FakeModel) => `${m.owner}/${m.name}`;

function latestTarget(model: FakeModel): CreateTarget {
  return { model: refOf(model), version: 'hidden', schemas: model.versions[0]!.openapi_schema.components.schemas, unknownFields: model.unknownFields };
}

export function getModel(state: FakeState, ref: string): Reply {
  const model = state.models.find(ref);
  return model ? { status: 200, body: toModelJson(model) } : resourceNotFound();
}

/** Official models have no version list (404, replicate/cog-safe-push#8); community ones list newest first. */
export function getVersions(state: FakeState, ref: string, id: string | undefined): Reply {
  const model = state.models.find(ref);
  if (!model || model.isOfficial) return resourceNotFound();
  if (id === undefined) return { status: 200, body: { next: null, previous: null, results: model.versions } };
  const version = model.versions.find((v) => v.id === id);
  return version ? { status: 200, body: version } : resourceNotFound();
}

/** `POST /v1/models/{owner}/{name}/predictions`: official models only, always their latest version. */
export function targetOfModelRoute(state: FakeState, ref: string): CreateTarget | Reply {
  const model = state.models.find(ref);
  if (!model) return resourceNotFound();
  return model.isOfficial ? latestTarget(model) : invalidVersion();
}

/** `POST /v1/predictions` with `version`: a community version id, `owner/name` (official) or `owner/name:id` (community). */
export function targetOfVersion(state: FakeState, version: unknown): CreateTarget | Reply {
  if (typeof version !== 'string') {
    const description = 'version is required';
    return problem(422, 'Input validation failed', `- (root): ${description}\n`, { invalid_fields: [{ type: 'required', field: '(root)', description }] });
  }
  const named = /^(?<ref>[^/]+\/[^/:]+)(?::(?<id>.+))?$/.exec(version)?.groups;
  if (named?.ref !== undefined && named.id === undefined) {
    const model = state.models.find(named.ref);
    return model?.isOfficial ? latestTarget(model) : invalidVersion();
  }
  const found = state.models.findVersion(named?.id ?? version);
  if (!found || found.model.isOfficial || (named?.ref !== undefined && named.ref !== refOf(found.model))) return invalidVersion();
  const { model, version: v } = found;
  return { model: refOf(model), version: v.id, schemas: v.openapi_schema.components.schemas, unknownFields: model.unknownFields };
}
