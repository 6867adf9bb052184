/** One part of a multipart/form-data body; binary-safe. */
export interface FormPart {
  name: string;
  /** Set for file parts. */
  filename: string | undefined;
  /** The part's Content-Type, or null when the sender gave none. */
  contentType: string | null;
  bytes: Buffer;
}

/**
 * Parses multipart/form-data with the platform's own parser (undici's `Response#formData`), which keeps
 * file bytes intact on Node 20. Throws on a malformed body.
 */
export async function parseMultipart(body: Buffer, contentType: string): Promise<FormPart[]> {
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const parts: FormPart[] = [];
  for (const [name, value] of form) {
    if (typeof value === 'string') {
      parts.push({ name, filename: undefined, contentType: null, bytes: Buffer.from(value, 'utf8') });
    } else {
      parts.push({
        name,
        filename: value.name,
        contentType: value.type === '' ? null : value.type,
        bytes: Buffer.from(await value.arrayBuffer()),
      });
    }
  }
  return parts;
}
