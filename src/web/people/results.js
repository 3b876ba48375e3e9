// A job's result files as people see them: always our stored copy (the attachment's `download`
// link, served with Content-Disposition: attachment), never Discord's CDN URL, which expires and
// is gone when the account or the simulator is. A GIF result stays a GIF: an <img> animates it.
import { el } from '../dom.js';

/** The first result file we hold a copy of: { url, filename, fetchedAt }, or null. */
export function storedResult(job) {
  const file = job.attachments?.find((a) => a.download?.url);
  return file ? { url: file.download.url, filename: file.filename, fetchedAt: Date.now() } : null;
}

/**
 * How long a download link is used before it is asked for again. Links are signed for an hour
 * (src/executor/read-model.ts DOWNLOAD_LINK_TTL_SEC); their age is measured on this browser's
 * clock, so a clock that differs from the server's does not matter.
 */
const REUSE_LINK_MS = 10 * 60_000;

/** Makes `link` (to `current()`'s file) ask `reread()` for a fresh link when its own is old. */
export function keepFresh(link, current, reread) {
  link.addEventListener('click', (event) => {
    const result = current();
    if (!result || Date.now() - result.fetchedAt < REUSE_LINK_MS) return;
    event.preventDefault();
    void reread().then((renewed) => {
      if (!renewed) return;
      Object.assign(result, renewed);
      link.href = renewed.url;
      link.click();
    });
  });
}

/** A link that downloads the result (a same-origin link with `download`; the server's Content-Disposition otherwise). */
export function downloadLink(result, text, reread) {
  const link = el('a', { href: result.url, className: 'button-link', text });
  link.setAttribute('download', result.filename ?? 'result');
  keepFresh(link, () => result, reread);
  return link;
}

/** A small picture of the result for lists. */
export function thumbnail(result, alt) {
  return el('img', { src: result.url, alt, loading: 'lazy', className: 'thumb', width: 56, height: 56 });
}
