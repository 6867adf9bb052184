import type { APIMessage, Message } from 'discord.js';
import type { ImageRef } from '../queue/job.js';
import { maxImageBytes } from '../refusals.js';

/** What the Animate image menu reads of a message: its attachments and its embeds' pictures. */
export interface MessagePictures {
  attachments: readonly { name: string; url: string; contentType: string | null; size: number }[];
  embeds: readonly { image?: EmbedPicture | null; thumbnail?: EmbedPicture | null }[];
}

export interface EmbedPicture {
  url: string;
  /** Discord's media proxy copy: a Discord host the bot may fetch, where `url` may be any site. */
  proxyURL?: string | undefined;
  contentType?: string | undefined;
}

export type ImagePick =
  | { ok: true; image: ImageRef }
  | { ok: false; refusal: 'no-image' | 'not-an-image' | 'image-too-large' };

/** The formats the model takes (the downloaded bytes are sniffed again before use). */
const accepted: readonly string[] = ['image/png', 'image/jpeg', 'image/webp'];
const byExtension: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
};

/** The declared type, else the one the file name suggests; undefined when neither says. */
function typeOf(contentType: string | null | undefined, name: string): string | undefined {
  const declared = contentType?.split(';')[0]?.trim().toLowerCase();
  if (declared) return declared;
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return extension ? byExtension[extension] : undefined;
}

function lastSegment(url: string): string {
  try {
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    return name || 'image';
  } catch {
    return 'image';
  }
}

/**
 * The picture a message offers to animate: its first attachment in a format the model takes and within 10 MB, else
 * its first embed picture (`image ?? thumbnail`: link previews put it in the thumbnail). Attachments that are not
 * pictures are passed over; when only unusable pictures are there, the refusal says why (format, size).
 */
export function pickImage(message: MessagePictures): ImagePick {
  let refusal: 'not-an-image' | 'image-too-large' | undefined;
  for (const attachment of message.attachments) {
    const type = typeOf(attachment.contentType, attachment.name);
    if (!type?.startsWith('image/')) continue;
    if (!accepted.includes(type)) {
      refusal ??= 'not-an-image';
      continue;
    }
    if (attachment.size > maxImageBytes) {
      refusal = 'image-too-large';
      continue;
    }
    const { name: filename, contentType, size, url } = attachment;
    return { ok: true, image: { filename, contentType, size, url, stored: false } };
  }
  for (const embed of message.embeds) {
    const picture = embed.image ?? embed.thumbnail;
    if (!picture?.url) continue;
    const type = typeOf(picture.contentType, lastSegment(picture.url));
    if (type && !accepted.includes(type)) {
      refusal ??= 'not-an-image';
      continue;
    }
    // The size is known once downloaded: the fetcher stops at 10 MB.
    const url = picture.proxyURL ?? picture.url;
    return { ok: true, image: { filename: lastSegment(picture.url), contentType: type ?? null, size: 0, url, stored: false } };
  }
  return { ok: false, refusal: refusal ?? 'no-image' };
}

/** A context menu's target message as discord.js parsed it. */
export function picturesOfMessage(message: Message): MessagePictures {
  return {
    attachments: [...message.attachments.values()].map((a) => ({ name: a.name, url: a.url, contentType: a.contentType, size: a.size })),
    embeds: message.embeds.map((embed) => ({
      image: embed.data.image && toPicture(embed.data.image),
      thumbnail: embed.data.thumbnail && toPicture(embed.data.thumbnail),
    })),
  };
}

/** A message as the REST API returns it. */
export function picturesOfApiMessage(message: Pick<APIMessage, 'attachments' | 'embeds'>): MessagePictures {
  return {
    attachments: (message.attachments ?? []).map((a) => ({
      name: a.filename,
      url: a.url,
      contentType: a.content_type ?? null,
      size: a.size,
    })),
    embeds: (message.embeds ?? []).map((embed) => ({
      image: embed.image && toPicture(embed.image),
      thumbnail: embed.thumbnail && toPicture(embed.thumbnail),
    })),
  };
}

function toPicture(raw: { url: string; proxy_url?: string | undefined; content_type?: string | undefined }): EmbedPicture {
  return { url: raw.url, proxyURL: raw.proxy_url, contentType: raw.content_type };
}
