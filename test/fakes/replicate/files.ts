import { createHash, randomBytes } from 'node:crypto';

/** A file uploaded through `POST /v1/files`. */
export interface FakeFile {
  id: string;
  name: string;
  contentType: string;
  bytes: Buffer;
  metadata: unknown;
  createdAt: number;
}

/** Replicate keeps uploaded files for a day. */
const fileLifetimeMs = 24 * 3_600_000;

export function newFileId(): string {
  return randomBytes(12).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x');
}

/** Parses the client's multipart body: part `content` (the file) and part `metadata` (a JSON blob). */
export async function parseUpload(contentType: string, body: Buffer, id: string, now: number): Promise<FakeFile | string> {
  let form: FormData;
  try {
    form = await new Request('http://fake.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch {
    return 'The request body is not valid multipart form data';
  }
  const content = form.get('content');
  if (!(content instanceof Blob)) return 'Missing file part "content"';
  let metadata: unknown = {};
  const meta = form.get('metadata');
  if (meta !== null) {
    try {
      metadata = JSON.parse(typeof meta === 'string' ? meta : await meta.text());
    } catch {
      return 'metadata must be JSON';
    }
  }
  const name = content instanceof File ? content.name : 'file';
  return {
    id,
    name,
    contentType: content.type || 'application/octet-stream',
    bytes: Buffer.from(await content.arrayBuffer()),
    metadata,
    createdAt: now,
  };
}

export function toFileJson(file: FakeFile, baseUrl: string) {
  return {
    id: file.id,
    name: file.name,
    content_type: file.contentType,
    size: file.bytes.length,
    etag: createHash('md5').update(file.bytes).digest('hex'),
    checksums: {
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      md5: createHash('md5').update(file.bytes).digest('hex'),
    },
    metadata: file.metadata,
    created_at: new Date(file.createdAt).toISOString(),
    expires_at: new Date(file.createdAt + fileLifetimeMs).toISOString(),
    urls: { get: `${baseUrl}/files/${file.id}` },
  };
}
