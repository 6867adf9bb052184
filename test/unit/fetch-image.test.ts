import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageFetcher, isAllowedImageUrl, sniffImageType } from '../../src/discord/fetch-image.js';
import { waitFor } from './responder-recorder.js';

const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);
const bodies: Record<string, Buffer> = {
  '/cat.png': png,
  '/fake.png': Buffer.from('<html>not an image</html>'),
  '/huge.png': Buffer.concat([png, Buffer.alloc(11 * 1024 * 1024)]),
};
/** Requests to /held/... wait here until the test answers them. */
const held: ServerResponse[] = [];
let inFlight = 0;
let maxInFlight = 0;
let base = '';
let host = '';
const server = createServer((req, res) => {
  const url = req.url ?? '';
  if (url === '/to-elsewhere.png') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
  if (url === '/to-cat.png') return void res.writeHead(301, { location: '/cat.png' }).end();
  if (url === '/loop.png') return void res.writeHead(302, { location: '/loop.png' }).end();
  if (url.startsWith('/held/')) {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('finish', () => inFlight--);
    held.push(res);
    return;
  }
  const body = bodies[url];
  if (!body) return void res.writeHead(404).end('{"message":"404: Not Found","code":0}');
  res.writeHead(200, { 'content-type': 'image/png' }).end(body);
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://${host}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ref = (path: string) => ({ filename: 'x.png', contentType: 'image/png', size: 1, url: base + path, stored: false });
const fetchImage = (image: ReturnType<typeof ref>) => createImageFetcher({ extraHosts: [base] })(image);

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

describe('where an image may come from', () => {
  it("takes only Discord's CDN hosts over https, and the configured stand-in's host", () => {
    const allowed = (url: string) => isAllowedImageUrl(new URL(url), [`${base}/api`]);
    expect(allowed('https://cdn.discordapp.com/attachments/1/2/a.png?ex=1')).toBe(true);
    expect(allowed('https://media.discordapp.net/attachments/1/2/a.png')).toBe(true);
    expect(allowed(`${base}/attachments/1/2/a.png`)).toBe(true);
    expect(allowed('http://cdn.discordapp.com/attachments/1/2/a.png')).toBe(false);
    expect(allowed('https://cdn.discordapp.com.evil.example/a.png')).toBe(false);
    expect(allowed('https://example.com/a.png')).toBe(false);
    expect(allowed(`http://127.0.0.1:1/a.png`)).toBe(false);
  });

  it('refuses a URL on another host without fetching it', async () => {
    const strict = createImageFetcher({ extraHosts: [] });
    await expect(strict(ref('/cat.png'))).rejects.toThrow("couldn't be downloaded from Discord");
  });

  it('follows a redirect within the allowed hosts and refuses one that leaves them', async () => {
    expect((await fetchImage(ref('/to-cat.png'))).bytes.equals(png)).toBe(true);
    await expect(fetchImage(ref('/to-elsewhere.png'))).rejects.toThrow("couldn't be downloaded from Discord");
    await expect(fetchImage(ref('/loop.png'))).rejects.toThrow("couldn't be downloaded from Discord");
  });

  it('downloads at most four images at once', async () => {
    const limited = createImageFetcher({ extraHosts: [base] });
    let settled = 0;
    const downloads = Array.from({ length: 6 }, (_, i) => limited(ref(`/held/${i}.png`)).finally(() => settled++));
    await waitFor(() => held.length === 4);
    while (settled < 6) {
      held.splice(0).forEach((res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
      await waitFor(() => held.length > 0 || settled === 6);
    }
    const images = await Promise.all(downloads);
    expect(images.every((image) => image.bytes.equals(png))).toBe(true);
    expect(maxInFlight).toBe(4);
  });
});
