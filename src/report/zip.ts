/**
 * A ZIP archive (PKWARE APPNOTE 6.3.x) holding one deflated file: what a usage CSV too large for a Discord attachment
 * is sent as, since every desktop opens a .zip without extra software. No ZIP64, so the file stays under 4 GiB (a
 * CSV over Discord's limits is tens of MiB). The data is deflated elsewhere (see csv-attachment.ts), as it is written.
 */

/** A file already deflated (raw deflate, RFC 1951), with the CRC-32 and length of its uncompressed bytes. */
export interface DeflatedFile {
  crc: number;
  size: number;
  packed: readonly Buffer[];
}

/** The archive's parts in order (local header, name, data, central directory, end record): concatenate to write. */
export function zipArchive(name: string, file: DeflatedFile, at: Date = new Date(0)): Buffer[] {
  const fileName = Buffer.from(name, 'utf8');
  const packedLength = file.packed.reduce((sum, b) => sum + b.length, 0);
  const crc = file.crc;
  // MS-DOS time and date, in the archive's local time by convention; UTC here, to the 2 s the format keeps.
  const year = Math.max(1980, at.getUTCFullYear());
  const dosTime = (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | (at.getUTCSeconds() >> 1);
  const dosDate = ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate();
  // Bit 11: the name is UTF-8.
  const flags = 0x0800;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(flags, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packedLength, 18);
  local.writeUInt32LE(file.size, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(flags, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(dosTime, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packedLength, 20);
  central.writeUInt32LE(file.size, 24);
  central.writeUInt16LE(fileName.length, 28);
  // Extra and comment lengths, disk number, attributes, offset of the local header: all 0.
  const centralOffset = local.length + fileName.length + packedLength;
  const centralSize = central.length + fileName.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);
  return [local, fileName, ...file.packed, central, fileName, end];
}
