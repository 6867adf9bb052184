import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { crc32, createDeflateRaw, type DeflateRaw } from 'node:zlib';
import type { DeflatedFile } from './zip.js';

/**
 * Collects a CSV as it is written and hands over the attachment at the end: the plain bytes while they fit in
 * `room`, and, from the moment they outgrow it, a ZIP made on the fly (deflate runs on libuv's thread pool, with
 * backpressure), so the whole plain text of a busy month is never held. `overflowing` says early that even the
 * compressed file is over `room`, so the caller can stop writing.
 */
export class CsvAttachment {
  private plain: Buffer[] = [];
  private plainBytes = 0;
  private crc = 0;
  private size = 0;
  private deflate: DeflateRaw | undefined;
  private readonly packed: Buffer[] = [];
  private packedBytes = 0;

  /**
   * `level` 1: a month of prompts deflates to about a quarter at several times the speed of the default level
   * (bench/usage-report.ts), and the reply waits for it.
   */
  constructor(
    private readonly room: number,
    private readonly level = 1,
  ) {}

  get overflowing(): boolean {
    return this.packedBytes > this.room;
  }

  async write(text: string): Promise<void> {
    if (text === '' || this.overflowing) return;
    const chunk = Buffer.from(text, 'utf8');
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
    if (this.deflate) return this.push(chunk);
    this.plain.push(chunk);
    this.plainBytes += chunk.length;
    if (this.plainBytes <= this.room) return;
    const deflate = createDeflateRaw({ level: this.level });
    deflate.on('data', (packed: Buffer) => {
      this.packed.push(packed);
      this.packedBytes += packed.length;
    });
    this.deflate = deflate;
    const held = this.plain;
    this.plain = [];
    this.plainBytes = 0;
    for (const part of held) await this.push(part);
  }

  /** The plain CSV, or the deflated one for `zipArchive`; undefined when it is over `room` either way. */
  async finish(): Promise<{ zipped: false; data: Buffer } | { zipped: true; file: DeflatedFile } | undefined> {
    if (!this.deflate) return { zipped: false, data: Buffer.concat(this.plain, this.plainBytes) };
    if (this.overflowing) {
      this.deflate.destroy();
      return undefined;
    }
    this.deflate.end();
    await finished(this.deflate);
    if (this.overflowing) return undefined;
    return { zipped: true, file: { crc: this.crc, size: this.size, packed: this.packed } };
  }

  private async push(chunk: Buffer): Promise<void> {
    if (!this.deflate!.write(chunk)) await once(this.deflate!, 'drain');
  }
}
