// A job's result files as people see them: always our stored copy (the attachment's `download`
// link, served with Content-Disposition: attachment), never Discord's CDN URL, which expires and
// is gone when the account or the simulator is. A GIF result stays a GIF: an <img> animates it.
import { el } from '../dom.js';

/** The first result file we hold a copy of: { url, filename, width, height }, or null. */
export function storedResult(job) {
  const file = job.attachments?.find((a) => a.download?.url);
  return file ? { url: file.download.url, filename: file.filename, width: file.width, height: file.height } : null;
}

/** A link that downloads the result (a same-origin link with `download`; the server's Content-Disposition otherwise). */
export function downloadLink(result, text = 'Download') {
  const link = el('a', { href: result.url, className: 'button-link', text });
  link.setAttribute('download', result.filename ?? 'result');
  return link;
}

/** A small picture of the result for lists. */
export function thumbnail(result, alt) {
  return el('img', { src: result.url, alt, loading: 'lazy', className: 'thumb', width: 56, height: 56 });
}
