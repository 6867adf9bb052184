import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../src/models/catalogue.js';
import type { ModelsFile } from '../../src/models/models-file.js';
import { DefaultModelUnusable, startModelRegistry, type ModelRegistry } from '../../src/models/registry.js';
import type { ModelSchema } from '../../src/models/schema.js';
import { createLogger } from '../../src/logger.js';
import { LogSink } from '../harness/log-sink.js';
import { ManualClock } from '../harness/test-clock.js';
import { fixtureModelJson, type FixtureModel } from './models-fixtures.js';

const hour = 60 * 60 * 1000;
const kling = 'kwaivgi/kling-v1.6-standard';
const veo = 'google/veo-3-fast';
const wan = 'wan-video/wan-2.2-i2v-fast';

/** Replicate as the registry reads it: models by name, a 404 for the rest, or down altogether. */
class FakeModels {
  served = new Map<string, unknown>();
  down = false;
  reads: string[] = [];
  copies = new Map<string, { schema: ModelSchema; readAt: number }>();

  serve(model: FixtureModel, options: Parameters<typeof fixtureModelJson>[1] = {}): this {
    this.served.set(model, fixtureModelJson(model, options));
    return this;
  }

  ports() {
    return {
      read: async (model: string) => {
        this.reads.push(model);
        await Promise.resolve();
        if (this.down) throw new Error('Request to https://api.replicate.com/v1/models failed with status 503 Service Unavailable');
        return this.served.get(model);
      },
      copies: {
        load: async (model: string) => this.copies.get(model),
        save: async (stored: { schema: ModelSchema; readAt: number }) => void this.copies.set(stored.schema.model, structuredClone(stored)),
      },
    };
  }
}

const entry = (model: string, isDefault = false, pricePerSecondUsd = 0.05) =>
  ({ model, pricePerSecondUsd, isDefault }) as CatalogueEntry;

function start(fake: FakeModels, entries: CatalogueEntry[], modelsFile: ModelsFile = {}, clock = new ManualClock()) {
  const sink = new LogSink();
  const notices: string[] = [];
  const log = createLogger({ level: 'debug', secrets: [], destination: sink });
  const registry = startModelRegistry({ ...fake.ports(), entries, modelsFile, clock, log, notice: (l) => notices.push(l) });
  return { registry, sink, notices, clock };
}

describe('the model registry', () => {
  it('reads each model, runs official ones by name and community ones by their latest version, and stores the schemas', async () => {
    const fake = new FakeModels().serve(kling).serve(veo, { official: false, versionId: 'b'.repeat(64) });
    const { registry } = start(fake, [entry(kling, true), entry(veo, false, 0.1)]);
    const models = await registry;

    expect(models.list().map((m) => [m.model, m.pricePerSecondUsd])).toEqual([[kling, 0.05], [veo, 0.1]]);
    expect(models.createTarget(kling)).toEqual({ model: kling });
    expect(models.createTarget(veo)).toEqual({ version: 'b'.repeat(64) });
    expect([...fake.copies.keys()].sort()).toEqual([veo, kling]);
    models.stop();
  });

  it('leaves out a model Replicate does not have with one warning line, and starts with the rest', async () => {
    const fake = new FakeModels().serve(kling);
    const { registry, sink, notices } = start(fake, [entry(kling, true), entry('acme/no-such-model')]);
    const models = await registry;

    expect(models.list().map((m) => m.model)).toEqual([kling]);
    expect(models.get('acme/no-such-model')).toBeUndefined();
    expect(sink.find('model left out')).toEqual([expect.objectContaining({ model: 'acme/no-such-model', reason: 'acme/no-such-model: Replicate has no such model' })]);
    expect(notices).toEqual(['Model acme/no-such-model left out: acme/no-such-model: Replicate has no such model']);
    models.stop();
  });

  it('refuses to start when the default model does not exist, naming it', async () => {
    const fake = new FakeModels().serve(veo);
    const { registry } = start(fake, [entry('acme/no-such-model', true), entry(veo)]);

    await expect(registry).rejects.toThrow(DefaultModelUnusable);
    await expect(registry).rejects.toThrow('the default model (REPLICATE_MODEL) cannot be run: acme/no-such-model: Replicate has no such model');
  });

  it('refuses to start when the models file does not fit the default model, and leaves out another model it does not fit', async () => {
    const fake = new FakeModels().serve(kling).serve(veo);
    const bad = { fields: { guidance: 'no_such_field' } };
    await expect(start(fake, [entry(kling, true)], { [kling]: bad }).registry).rejects.toThrow(
      'the default model (REPLICATE_MODEL) cannot be run: the models file maps guidance of kwaivgi/kling-v1.6-standard to no_such_field, which its schema lacks',
    );

    const { registry, sink } = start(fake, [entry(kling, true), entry(veo)], { [veo]: bad, [kling]: { label: 'Kling 1.6', fields: { guidance: null } } });
    const models = await registry;
    expect(models.list().map((m) => m.model)).toEqual([kling]);
    expect(models.get(kling)).toMatchObject({ label: 'Kling 1.6' });
    expect(models.get(kling)!.roles.fields.guidance).toBeUndefined();
    expect(sink.find('model left out')[0]).toMatchObject({ model: veo });
    models.stop();
  });

  it('starts on the stored copies while Replicate is down, and runs a default it never read by name', async () => {
    const fake = new FakeModels().serve(kling).serve(veo, { official: false, versionId: 'c'.repeat(64) });
    (await start(fake, [entry(kling, true), entry(veo)]).registry).stop();
    fake.down = true;

    const { registry, sink } = start(fake, [entry(kling, true), entry(veo)]);
    const models = await registry;
    expect(models.list().map((m) => m.model)).toEqual([kling, veo]);
    expect(models.createTarget(veo)).toEqual({ version: 'c'.repeat(64) });
    expect(sink.find('model schema from the stored copy').map((e) => e.model)).toEqual([kling, veo]);
    models.stop();

    fake.copies.clear();
    const first = start(fake, [entry(kling, true), entry(veo)]);
    const bare = await first.registry;
    expect(bare.list()).toEqual([]);
    expect(bare.createTarget(kling)).toEqual({ model: kling });
    expect(first.notices).toEqual([expect.stringMatching(/^Model google\/veo-3-fast left out: .*503.*; asked again in a minute$/)]);

    // Back up: the models not read are asked again within a minute, not an hour.
    fake.down = false;
    await first.clock.advance(60_000);
    expect(bare.list().map((m) => m.model)).toEqual([kling, veo]);
    expect(bare.createTarget(veo)).toEqual({ version: 'c'.repeat(64) });
    bare.stop();
  });

  it('reads every schema again each hour and on refresh(), following a community model to its new version', async () => {
    const fake = new FakeModels().serve(kling).serve(veo, { official: false, versionId: '1'.repeat(64) });
    const { registry, clock, sink } = start(fake, [entry(kling, true), entry(veo)]);
    const models = await registry;
    expect(fake.reads).toHaveLength(2);

    fake.serve(veo, { official: false, versionId: '2'.repeat(64) });
    await clock.advance(hour - 1);
    expect(models.createTarget(veo)).toEqual({ version: '1'.repeat(64) });
    await clock.advance(1);
    expect(fake.reads).toHaveLength(4);
    expect(models.createTarget(veo)).toEqual({ version: '2'.repeat(64) });
    expect(fake.copies.get(veo)!.schema.versionId).toBe('2'.repeat(64));
    expect(sink.find('model schema changed')).toEqual([expect.objectContaining({ model: veo, from: '1'.repeat(64), to: '2'.repeat(64) })]);

    fake.serve(veo, { official: false, versionId: '3'.repeat(64) });
    await models.refresh(veo);
    expect(models.createTarget(veo)).toEqual({ version: '3'.repeat(64) });

    // Gone at Replicate later: an extra model is left out; the default keeps its last schema.
    fake.served.delete(veo);
    fake.served.delete(kling);
    await clock.advance(hour);
    expect(models.list().map((m) => m.model)).toEqual([kling]);
    models.stop();
  });

  it('keeps the last schema when a refresh cannot reach Replicate', async () => {
    const fake = new FakeModels().serve(kling).serve(wan, { official: false, versionId: 'd'.repeat(64) });
    const { registry, clock } = start(fake, [entry(kling, true), entry(wan)]);
    const models: ModelRegistry = await registry;
    fake.down = true;
    await clock.advance(hour);
    expect(models.list().map((m) => m.model)).toEqual([kling, wan]);
    expect(models.createTarget(wan)).toEqual({ version: 'd'.repeat(64) });
    models.stop();
  });
});
