/** STORAGE_URL: `file:///absolute/path` or `s3://bucket/optional/prefix`. */
import { fileURLToPath } from 'node:url';

export type StorageUrl = { kind: 'file'; root: string } | { kind: 's3'; bucket: string; prefix: string };

/** The parsed URL, or null when it is neither form. */
export function parseStorageUrl(value: string): StorageUrl | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol === 'file:') {
    if (url.host !== '' || url.search || url.hash) return null;
    const root = fileURLToPath(url).replace(/\/+$/, '');
    return root ? { kind: 'file', root } : null;
  }
  if (url.protocol === 's3:') {
    // Bucket names: 3-63 lower-case letters, digits, dots and hyphens.
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(url.hostname) || url.search || url.hash || url.username || url.port) return null;
    const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
    return { kind: 's3', bucket: url.hostname, prefix: prefix ? `${prefix}/` : '' };
  }
  return null;
}
