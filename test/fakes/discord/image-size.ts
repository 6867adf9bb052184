/** Width and height of a PNG or GIF from its header, as Discord reports them on image attachments; else undefined. */
export function imageSize(bytes: Buffer): { width: number; height: number } | undefined {
  const png = bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString('latin1', 12, 16) === 'IHDR';
  if (png) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  const gif = bytes.length >= 10 && bytes.toString('latin1', 0, 3) === 'GIF';
  if (gif) return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  return undefined;
}
