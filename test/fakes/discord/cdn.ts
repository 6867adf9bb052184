import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { APIAttachment } from 'discord-api-types/v10';

/** Signed CDN links stay valid for a day, as Discord's do (`ex` = `is` + 24 h). */
const LINK_LIFETIME_S = 24 * 60 * 60;

interface StoredFile {
  id: string;
  channelId: string;
  filename: string;
  contentType: string | null;
  bytes: Buffer;
  width?: number;
  height?: number;
  expired: boolean;
}

export interface CdnResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

/**
 * The fake's CDN: every attachment (uploaded by a member through `addAttachment`, or by the bot on a message) gets
 * a signed `/attachments/{channel}/{id}/{filename}?ex=&is=&hm=` URL on this server that serves its exact bytes.
 */
export class FakeCdn {
  private readonly files = new Map<string, StoredFile>();
  private readonly key = randomBytes(32);

  constructor(
    private readonly baseUrl: () => string,
    private readonly now: () => number,
  ) {}

  store(file: Omit<StoredFile, 'expired'>): string {
    this.files.set(file.id, { ...file, expired: false });
    const path = `/attachments/${file.channelId}/${file.id}/${encodeURIComponent(file.filename)}`;
    const issued = Math.floor(this.now() / 1000);
    const ex = (issued + LINK_LIFETIME_S).toString(16);
    const is = issued.toString(16);
    return `${this.baseUrl()}${path}?ex=${ex}&is=${is}&hm=${this.sign(path, ex, is)}&`;
  }

  toApiAttachment(id: string, url: string): APIAttachment {
    const file = this.files.get(id);
    if (!file) throw new Error(`no attachment ${id}`);
    return {
      id,
      filename: file.filename,
      size: file.bytes.length,
      url,
      proxy_url: url,
      ...(file.contentType === null ? {} : { content_type: file.contentType }),
      ...(file.width === undefined || file.height === undefined ? {} : { width: file.width, height: file.height }),
    };
  }

  /** A stored file's bytes and details, for putting a member's upload on a message. */
  file(id: string): Omit<StoredFile, 'expired'> | undefined {
    return this.files.get(id);
  }

  expire(id: string): void {
    const file = this.files.get(id);
    if (!file) throw new Error(`no attachment ${id}`);
    file.expired = true;
  }

  serve(path: string, query: URLSearchParams): CdnResponse {
    const gone: CdnResponse = {
      status: 404,
      contentType: 'text/plain',
      body: Buffer.from('This content is no longer available.'),
    };
    const match = /^\/attachments\/(\d+)\/(\d+)\/([^/]+)$/.exec(path);
    if (!match) return gone;
    const file = this.files.get(match[2] ?? '');
    const ex = query.get('ex') ?? '';
    const is = query.get('is') ?? '';
    if (!file || file.expired || !this.verify(path, ex, is, query.get('hm') ?? '')) return gone;
    if (Number.parseInt(ex, 16) * 1000 <= this.now()) return gone;
    return { status: 200, contentType: file.contentType ?? 'application/octet-stream', body: file.bytes };
  }

  private sign(path: string, ex: string, is: string): string {
    return createHmac('sha256', this.key).update(`${path}\n${ex}\n${is}`).digest('hex');
  }

  private verify(path: string, ex: string, is: string, hm: string): boolean {
    const expected = Buffer.from(this.sign(path, ex, is));
    const given = Buffer.from(hm);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
