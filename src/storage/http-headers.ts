/**
 * Header values the blob stores hand back to HTTP clients: the stored content type (kept to
 * printable ASCII so it fits a one-line header and an HTTP header) and the Content-Disposition of
 * a download link (RFC 6266: an ASCII fallback name and the exact UTF-8 one).
 */
const PRINTABLE = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export function normalizeContentType(contentType: string | undefined): string {
  const trimmed = contentType?.trim() ?? '';
  return PRINTABLE.test(trimmed) ? trimmed : DEFAULT_CONTENT_TYPE;
}

/** `attachment`, with the file name when there is one. */
export function contentDisposition(filename: string | undefined): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const name = filename?.replace(/[\x00-\x1f\x7f/\\]/g, '').trim();
  if (!name) return 'attachment';
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
