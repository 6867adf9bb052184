import type {
  FakeDiscord,
  FakeUser,
  InteractionHandle,
  InteractionRecord,
  RecordedMessage,
  SlashCommandInput,
} from '../fakes/discord/fake-discord.js';
import type { World } from './world.js';

/** Steps a member takes and what they then see, shared by the queue and delivery scenarios. */

/** Sends `/video prompt:<prompt>` as `user`; `extra` sets the guild, permissions, upload limit... */
export function requestVideo(
  world: World,
  user: FakeUser,
  prompt: string,
  extra: Omit<SlashCommandInput, 'name' | 'options' | 'user'> = {},
): InteractionHandle {
  return world.discord.sendSlashCommand({ name: 'video', user, options: { prompt }, ...extra });
}

/** Waits until the interaction's reply reads `pattern`, and returns that version of it. */
export function replyShowing(
  world: World,
  handle: InteractionHandle,
  pattern: RegExp,
  timeoutMs = 10_000,
): Promise<RecordedMessage> {
  return world.discord.waitFor(
    (d) => {
      const message = d.interaction(handle.id).original;
      return message && pattern.test(message.content) ? message : undefined;
    },
    { timeoutMs, description: `a reply matching ${pattern}` },
  );
}

/**
 * Waits until the member got the ready ping (a follow-up to the reply), and returns the whole interaction.
 * Takes anything with the Discord stand-in, so a ProcessWorld too.
 */
export function readyPing(
  world: { readonly discord: FakeDiscord },
  handle: InteractionHandle,
  { timeoutMs = 15_000, description = 'the ready ping' }: { timeoutMs?: number; description?: string } = {},
): Promise<InteractionRecord> {
  return world.discord.waitFor((d) => d.interaction(handle.id).followUps.length > 0 && d.interaction(handle.id), {
    timeoutMs,
    description,
  });
}

/** Waits until the reply reads `pattern` (by default the ❌ a failed job ends with), and returns the whole interaction. */
export function failureShown(world: World, handle: InteractionHandle, pattern = /^❌/): Promise<InteractionRecord> {
  return world.discord.waitFor(
    (d) => {
      const record = d.interaction(handle.id);
      return record.original && pattern.test(record.original.content) && record;
    },
    { timeoutMs: 15_000, description: 'the failure message' },
  );
}

/** Waits until Replicate has received `count` predictions. */
export function predictionsReach(world: World, count: number, timeoutMs = 10_000): Promise<true> {
  return world.discord.waitFor(() => world.replicate.predictions.length >= count, {
    timeoutMs,
    description: `${count} prediction(s) at Replicate`,
  });
}

/** The custom_id of every button on a message, in order. */
export function buttonIds(message: Pick<RecordedMessage, 'components'>): string[] {
  const rows = message.components as { components?: { custom_id?: string }[] }[];
  return rows.flatMap((row) => (row.components ?? []).flatMap((c) => (c.custom_id ? [c.custom_id] : [])));
}

/** The Cancel button's custom_id on a progress message; throws when there is none. */
export function cancelButtonOf(message: Pick<RecordedMessage, 'components'>): string {
  const id = buttonIds(message).find((c) => c.startsWith('cancel:'));
  if (!id) throw new Error('the message has no Cancel button');
  return id;
}

/** Prompts of the predictions Replicate received, in creation order. */
export function promptsAtReplicate(world: World): string[] {
  return world.replicate.predictions.map((p) => String(p.input.prompt));
}

/** Queue positions a reply showed over time, repeats collapsed. */
export function positionsShown(history: readonly RecordedMessage[]): number[] {
  const positions: number[] = [];
  for (const version of history) {
    const match = /position (\d+)/.exec(version.content);
    const position = match ? Number(match[1]) : undefined;
    if (position !== undefined && positions.at(-1) !== position) positions.push(position);
  }
  return positions;
}

/** Waits until no job is active, in the store and in the bot (the last state is persisted just after the member sees it). */
export async function untilNoActiveJobs(world: World, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const active = await world.bot.store.listActiveJobs();
    // The store's index empties with a job's last write; the bot settles it (ledger, usage rows) right after.
    const { waiting, running, accepting } = world.bot.queue.stats();
    if (active.length === 0 && waiting + running + accepting === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(`still active after ${timeoutMs} ms: ${active.map((j) => j.state).join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
