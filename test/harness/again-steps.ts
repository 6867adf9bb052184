import type { FakeUser, InteractionHandle, RecordedMessage } from '../fakes/discord/fake-discord.js';
import { buttonIds } from './video-steps.js';
import type { World } from './world.js';

/** Steps around a delivered video's Regenerate and Remix buttons. */

/** The custom_id of the delivered message's `regen:` or `remix:` button; throws when there is none. */
export function againButtonOf(message: Pick<RecordedMessage, 'components'>, prefix: 'regen' | 'remix'): string {
  const id = buttonIds(message).find((c) => c.startsWith(`${prefix}:`));
  if (!id) throw new Error(`the message has no ${prefix} button`);
  return id;
}

/** `user` presses Regenerate or Remix on the delivered `message`. */
export function pressAgain(world: World, message: RecordedMessage, prefix: 'regen' | 'remix', user: FakeUser): InteractionHandle {
  return world.discord.pressButton({ message, customId: againButtonOf(message, prefix), user });
}

/** Waits for the ephemeral answer of an interaction (a refusal) and returns its text. */
export async function ephemeralAnswer(world: World, handle: InteractionHandle): Promise<string> {
  const record = await world.discord.waitFor((d) => d.interaction(handle.id).ackType !== undefined && d.interaction(handle.id), {
    description: 'the answer to the interaction',
  });
  if (record.ackType !== 4 || !record.ephemeral) throw new Error(`answered with type ${record.ackType}, ephemeral ${record.ephemeral}`);
  return record.original!.content;
}
