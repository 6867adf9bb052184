import type { Clock } from '../../../src/clock.js';
import type { FakeCdn } from './cdn.js';
import { imageSize } from './image-size.js';
import type { UploadedFile } from './message-body.js';
import type { BotIdentity, FakeGuild } from './payloads.js';
import type { FakeDiscordState, RecordedAttachment } from './state.js';

/** What routes share: the recorded state, the CDN, who the bot is, and the rules in force. */
export interface FakeEnv {
  state: FakeDiscordState;
  cdn: FakeCdn;
  bot: BotIdentity;
  botToken: string;
  clock: Clock;
  guilds: FakeGuild[];
  newId: () => string;
  ackDeadlineMs: number;
  tokenLifetimeMs: number;
  expiredTokenCode: 50027 | 10015;
  gatewayUrl: () => string;
  /** `GET /gateway/bot`'s `shards` (the recommended count). */
  recommendedShards: number;
  /** `session_start_limit.max_concurrency`: identifies allowed per 5 s. */
  maxConcurrency: number;
}

/** Returns a `store` for `buildVersion` that puts uploads on the fake CDN under `channelId`. */
export function uploadStore(env: FakeEnv, channelId: string): (file: UploadedFile) => RecordedAttachment {
  return (file) => {
    const id = env.newId();
    const url = env.cdn.store({ id, channelId, filename: file.filename, contentType: file.contentType, bytes: file.bytes });
    const { filename, contentType, bytes } = file;
    return { id, filename, contentType, size: bytes.length, bytes, url, ...imageSize(bytes) };
  };
}
