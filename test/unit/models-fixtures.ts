import { readFileSync } from 'node:fs';

/**
 * The five real-shaped `components.schemas` in test/fixtures/models/ (copied from the project's reference notes, each
 * with an `x-source` saying what was read and what inferred), wrapped in the `GET /v1/models/{owner}/{name}` shape.
 */
export type FixtureModel =
  | 'kwaivgi/kling-v1.6-standard'
  | 'kwaivgi/kling-v2.1'
  | 'google/veo-3-fast'
  | 'bytedance/seedance-1-pro'
  | 'wan-video/wan-2.2-i2v-fast';

export function fixtureSchemas(model: FixtureModel): Record<string, unknown> {
  const url = new URL(`../fixtures/models/${model.replace('/', '__')}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
}

export function fixtureModelJson(
  model: FixtureModel,
  options: { official?: boolean; versionId?: string; schemas?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const [owner, name] = model.split('/');
  return {
    owner,
    name,
    visibility: 'public',
    is_official: options.official ?? true,
    latest_version: {
      id: options.versionId ?? 'a'.repeat(64),
      created_at: '2026-11-01T00:00:00.000Z',
      cog_version: '0.16.0',
      openapi_schema: {
        openapi: '3.0.2',
        info: { title: 'Cog', version: '0.1.0' },
        components: { schemas: options.schemas ?? fixtureSchemas(model) },
      },
    },
  };
}
