import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchImage, sniffImageType } from '../../src/discord/fetch-image.js';

const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);
const bodies: Record<string, Buffer> = {
  '/cat.png': png,
  '/fake.png': Buffer.from('<html>not an image</html>'),
  '/huge.png': Buffer.concat([png, Buffer.alloc(11 * 1024 * 1024)]),
};
let base = '';
const server = createServer((req, res) => {
  const body = bodies[req.url ?? ''];
  if (!body) return void res.writeHead(404).end('{"message":"404: Not Found","code":0}');
  res.writeHead(200, { 'content-type': 'image/png' }).end(body);
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ref = (path: string) => ({ filename: 'x.png', contentType: 'image/png', size: 1, url: base + path, stored: false });

describe('attachment download', () => {
  it('recognises PNG, JPEG and WebP by their first bytes only', () => {
    expect(sniffImageType(png)).toBe('image/png');
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImageType(Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffImageType(Buffer.from('GIF89a'))).toBeUndefined();
  });

  it('returns exactly the bytes served', async () => {
    const image = await fetchImage(ref('/cat.png'));
    expect(image.bytes.equals(png)).toBe(true);
    expect(image.mimeType).toBe('image/png');
  });

  it('refuses content that only claims to be an image', async () => {
    await expect(fetchImage(ref('/fake.png'))).rejects.toThrow('not a PNG, JPEG or WebP image');
  });

  it('stops downloading past 10 MB', async () => {
    await expect(fetchImage(ref('/huge.png'))).rejects.toThrow('larger than 10 MB');
  });

  it('says plainly when the image is gone', async () => {
    await expect(fetchImage(ref('/expired.png'))).rejects.toThrow(/couldn't be downloaded.*HTTP 404/);
  });
});
