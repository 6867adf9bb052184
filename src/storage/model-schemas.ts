import type { ModelSchema } from '../models/schema.js';
import { modelSchemaKey } from './keys.js';
import type { MetaStore } from './guild-records.js';

/** A model's schema as read from Replicate, and when (epoch ms). */
export interface StoredSchema {
  schema: ModelSchema;
  readAt: number;
}

/**
 * The copies of each model's schema the bot last read, kept in the store so that a start while Replicate is down
 * still knows how to drive its models. Every process on the store shares them; the last read wins.
 */
export class ModelSchemas {
  constructor(private readonly store: MetaStore) {}

  async load(model: string): Promise<StoredSchema | undefined> {
    const stored = await this.store.getMeta<StoredSchema>(modelSchemaKey(model));
    return stored?.schema?.model === model ? stored : undefined;
  }

  async save(stored: StoredSchema): Promise<void> {
    await this.store.setMeta(modelSchemaKey(stored.schema.model), stored);
  }
}
