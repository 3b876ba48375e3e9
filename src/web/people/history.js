// Your jobs, newest first, a page at a time (the `jobs` connection pages forward with `after`;
// the cursors of the pages seen are kept to go back). Each shows its result from our stored copy,
// a download link, and a cancel button while it waits in the queue.
import { $, el, setFieldError, whileBusy } from '../dom.js';
import { explainError, jobState, jobTitle } from '../messages.js';
import { downloadLink, storedResult, thumbnail } from './results.js';

const PAGE_SIZE = 10;

export class History {
  /** @param {object} session { api, canList() } */
  constructor(session) {
    this.session = session;
    /** The `after` cursor of every page up to the one shown (the first page's is null). */
    this.cursors = [null];
    this.next = null;
    /** Counts reads, so that an answer overtaken by a later read is dropped. */
    this.reads = 0;
    $('history-refresh').addEventListener('click', () => void this.load());
    $('history-older').addEventListener('click', () => {
      this.cursors.push(this.next);
      void this.load();
    });
    $('history-newer').addEventListener('click', () => {
      this.cursors.pop();
      void this.load();
    });
  }

  /** Back to the newest jobs. */
  reset() {
    this.cursors = [null];
    return this.load();
  }

  /** Reads the page shown again. */
  async load() {
    setFieldError($('history-error'), null, null);
    if (!this.session.canList()) return this.show([], false);
    const read = ++this.reads;
    const { data, errors } = await this.session.api.jobs(PAGE_SIZE, this.cursors.at(-1));
    if (read !== this.reads) return;
    if (!data) {
      this.show([], false);
      return setFieldError($('history-error'), null, explainError(errors?.[0]));
    }
    const { edges, pageInfo } = data.jobs;
    this.next = pageInfo.endCursor;
    this.show(
      edges.map((e) => e.node),
      pageInfo.hasNextPage,
    );
  }

  show(jobs, hasOlder) {
    $('history').replaceChildren(...jobs.map((job) => this.row(job)));
    if (jobs.length === 0) $('history').append(el('li', { className: 'empty', text: 'No jobs yet.' }));
    $('history-older').disabled = !hasOlder;
    $('history-newer').disabled = this.cursors.length === 1;
    $('history-page').textContent = `Page ${this.cursors.length}`;
  }

  row(job) {
    const result = storedResult(job);
    const title = jobTitle(job);
    const when = new Date(job.created).toLocaleString();
    const actions = el('span', { className: 'actions' });
    const reread = async () => storedResult((await this.session.api.job(job.id)).job ?? {});
    if (result) actions.append(downloadLink(result, 'Download', reread));
    if (job.status === 'QUEUED') {
      const cancel = el('button', {
        type: 'button',
        className: 'secondary',
        text: 'Cancel',
        attrs: { 'aria-label': `Cancel ${title}, ${when}` },
      });
      cancel.addEventListener('click', () => void this.cancel(cancel, job.id));
      actions.append(cancel);
    }
    const item = el(
      'li',
      { attrs: { 'data-job': job.id, 'data-status': job.status } },
      result ? thumbnail(result, `Result of ${title}, ${when}`) : el('span', { className: 'thumb none', attrs: { 'aria-hidden': 'true' } }),
      el(
        'span',
        { className: 'what' },
        el('strong', { text: title }),
        el('span', { className: 'hint', text: `${when} · ${jobState(job)}` }),
      ),
      actions,
    );
    return item;
  }

  async cancel(button, id) {
    await whileBusy(button, async () => {
      const { job, errors } = await this.session.api.cancelJob(id);
      if (!job) setFieldError($('history-error'), null, explainError(errors?.[0]));
    });
    await this.load();
  }
}
