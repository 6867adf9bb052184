import { expect } from 'vitest';
import type { WebhookDelivery } from '../fakes/replicate/fake-replicate.js';
import type { World } from './world.js';

/** Steps of the webhook scenarios: what Replicate (or someone posing as it) sends, and what the operator reads. */

/** The bot's webhook URL for this process's owner. */
export function webhookUrl(world: World, owner = 'main'): string {
  return `http://127.0.0.1:${world.bot.http!.port}/webhooks/replicate/${owner}`;
}

/** Waits until the fake sent a webhook of `event` and had its answer, and returns it. */
export function deliveryOf(world: World, event: WebhookDelivery['event'], { attempt = 1, timeoutMs = 10_000 } = {}): Promise<WebhookDelivery> {
  return world.discord.waitFor(
    () => world.replicate.webhooks.deliveries.find((d) => d.event === event && d.attempt === attempt && d.answer !== 0),
    { timeoutMs, description: `the ${event} webhook (attempt ${attempt}) answered` },
  );
}

/** The log holds no token, signing secret or webhook signature. */
export function expectLogClean(world: World, extra: string[] = []): void {
  const text = world.logs.text;
  for (const secret of [...world.secrets(), ...extra]) expect(text).not.toContain(secret);
  for (const d of world.replicate.webhooks.deliveries) {
    for (const entry of d.raw.headers['webhook-signature']!.split(' ')) expect(text).not.toContain(entry.slice(3));
  }
  expect(text).not.toMatch(/v1,[A-Za-z0-9+/]{20,}/);
}

/** The log lines of webhooks refused, as the operator reads them. */
export function refusals(world: World): Record<string, unknown>[] {
  return world.logs.find('webhook refused');
}
