import { describe, expect, it } from 'vitest';
import { pickImage, picturesOfApiMessage, type MessagePictures } from '../../src/discord/message-image.js';

const cdn = 'https://cdn.discordapp.com/attachments/1/2';
const attachment = (name: string, contentType: string | null, size = 1000) => ({
  name,
  url: `${cdn}/${name}?ex=67a0b000&is=679f5e80&hm=abc`,
  contentType,
  size,
});
const message = (pictures: Partial<MessagePictures>): MessagePictures => ({ attachments: [], embeds: [], ...pictures });

describe('picking the image a message offers to animate', () => {
  it('takes the first PNG, JPEG or WebP attachment, passing over files that are not pictures', () => {
    const pick = pickImage(message({ attachments: [attachment('notes.pdf', 'application/pdf'), attachment('cat.webp', 'image/webp', 4321)] }));
    expect(pick).toEqual({
      ok: true,
      image: { filename: 'cat.webp', contentType: 'image/webp', size: 4321, url: `${cdn}/cat.webp?ex=67a0b000&is=679f5e80&hm=abc`, stored: false },
    });
  });

  it('goes by the file name when Discord gave no content type', () => {
    const pick = pickImage(message({ attachments: [attachment('photo.JPG', null)] }));
    expect(pick.ok && pick.image.filename).toBe('photo.JPG');
  });

  it('says why when the only pictures are in another format or over 10 MB', () => {
    expect(pickImage(message({ attachments: [attachment('dance.gif', 'image/gif')] }))).toEqual({ ok: false, refusal: 'not-an-image' });
    expect(pickImage(message({ attachments: [attachment('huge.png', 'image/png', 10 * 1024 * 1024 + 1)] }))).toEqual({
      ok: false,
      refusal: 'image-too-large',
    });
    const both = pickImage(message({ attachments: [attachment('huge.png', 'image/png', 11e6), attachment('ok.png', 'image/png')] }));
    expect(both.ok && both.image.filename).toBe('ok.png');
  });

  it("takes an embed's picture through Discord's media proxy, the image before the thumbnail", () => {
    const pick = pickImage(
      message({
        embeds: [
          { image: null, thumbnail: null },
          {
            image: { url: 'https://example.com/pics/sunset.jpg', proxyURL: 'https://images-ext-1.discordapp.net/external/x/sunset.jpg' },
            thumbnail: { url: 'https://example.com/pics/thumb.png' },
          },
        ],
      }),
    );
    expect(pick).toEqual({
      ok: true,
      image: {
        filename: 'sunset.jpg',
        contentType: 'image/jpeg',
        size: 0,
        url: 'https://images-ext-1.discordapp.net/external/x/sunset.jpg',
        stored: false,
      },
    });
  });

  it("reads a link preview's picture from its thumbnail", () => {
    const pick = pickImage(message({ embeds: [{ thumbnail: { url: `${cdn}/preview.png`, proxyURL: undefined } }] }));
    expect(pick.ok && pick.image.url).toBe(`${cdn}/preview.png`);
  });

  it('prefers an attachment to an embed, and a usable embed to a refusal', () => {
    const embed = { image: { url: `${cdn}/embed.png` } };
    const first = pickImage(message({ attachments: [attachment('a.png', 'image/png')], embeds: [embed] }));
    expect(first.ok && first.image.filename).toBe('a.png');
    const fallback = pickImage(message({ attachments: [attachment('a.gif', 'image/gif')], embeds: [embed] }));
    expect(fallback.ok && fallback.image.filename).toBe('embed.png');
  });

  it('finds nothing in a text-only message or one with only non-pictures', () => {
    expect(pickImage(message({}))).toEqual({ ok: false, refusal: 'no-image' });
    expect(pickImage(message({ attachments: [attachment('song.mp3', 'audio/mpeg')] }))).toEqual({ ok: false, refusal: 'no-image' });
    expect(pickImage(message({ embeds: [{ image: { url: 'https://example.com/a.gif' } }] }))).toEqual({ ok: false, refusal: 'not-an-image' });
  });

  it('reads the REST shape of a message like the interaction shape', () => {
    const pictures = picturesOfApiMessage({
      attachments: [{ id: '9', filename: 'x.png', url: `${cdn}/x.png`, proxy_url: '', size: 12, content_type: 'image/png' }],
      embeds: [{ image: { url: 'https://e.com/y.webp', proxy_url: 'https://media.discordapp.net/y.webp', content_type: 'image/webp' } }],
    });
    expect(pictures).toEqual({
      attachments: [{ name: 'x.png', url: `${cdn}/x.png`, contentType: 'image/png', size: 12 }],
      embeds: [{ image: { url: 'https://e.com/y.webp', proxyURL: 'https://media.discordapp.net/y.webp', contentType: 'image/webp' }, thumbnail: undefined }],
    });
  });
});
