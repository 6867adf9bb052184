import type { Clock } from '../clock.js';

/**
 * Channels the bot found it cannot use (deleted, access or a permission lost): progress edits, moves and deliveries
 * stop trying them at once instead of retrying a permanent refusal. Entries expire (default 10 minutes), since a
 * moderator may give the permission back.
 */
export function createChannelHealth(clock: Clock, forgetAfterMs = 10 * 60_000) {
  const unusable = new Map<string, { code: number | string | undefined; at: number }>();
  return {
    markUnusable(channelId: string, code: number | string | undefined): void {
      unusable.set(channelId, { code, at: clock.now() });
    },
    isUnusable(channelId: string): boolean {
      const entry = unusable.get(channelId);
      if (!entry) return false;
      if (clock.now() - entry.at < forgetAfterMs) return true;
      unusable.delete(channelId);
      return false;
    },
  };
}

export type ChannelHealth = ReturnType<typeof createChannelHealth>;
