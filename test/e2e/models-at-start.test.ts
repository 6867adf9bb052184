import { describe, expect, it } from 'vitest';
import { spawnBot } from '../harness/bot-process.js';
import { useProcessWorld } from '../harness/use-world.js';

const world = useProcessWorld();

describe('npm start with REPLICATE_MODELS', () => {
  it('names a model Replicate does not have in one warning line and starts with the others', async () => {
    const bot = await world().startBot({ REPLICATE_MODELS: 'google/veo-3-fast=0.10,acme/no-such-model' });

    expect(bot.stderr.trimEnd().split('\n')).toEqual(['Model acme/no-such-model left out: acme/no-such-model: Replicate has no such model']);
    expect(bot.find('model left out')).toEqual([expect.objectContaining({ model: 'acme/no-such-model' })]);
    expect(bot.find('models ready')[0]).toMatchObject({ models: ['kwaivgi/kling-v1.6-standard', 'google/veo-3-fast'] });
    const reads = world().replicate.requests.filter((r) => r.route === 'model-get').map((r) => r.path).sort();
    expect(reads).toEqual(['/v1/models/acme/no-such-model', '/v1/models/google/veo-3-fast', '/v1/models/kwaivgi/kling-v1.6-standard']);
  });

  it('stops with one Cannot start line when the default model does not exist at Replicate', async () => {
    const bot = spawnBot(world().env({ REPLICATE_MODEL: 'acme/no-such-model' }));
    world().processes.push(bot);
    const exit = await bot.exited;

    expect(exit.code).toBe(1);
    expect(bot.stderr.trimEnd().split('\n')).toEqual([
      'Cannot start: the default model (REPLICATE_MODEL) cannot be run: acme/no-such-model: Replicate has no such model',
    ]);
    expect(world().discord.gatewayConnected).toBe(false);
  });
});
