// The job being swapped: its state live (position in line, estimated start), a cancel button
// while it waits, and the result with a download link once it is done.
import { $, whileBusy } from '../dom.js';
import { explainClose, explainError, jobState } from '../messages.js';
import { keepFresh, storedResult } from './results.js';

export const isTerminal = (job) => job.status !== 'QUEUED' && job.status !== 'STARTED';

export class JobCard {
  /**
   * @param {{ api: import('../api.js').Api, live: import('../live.js').Live }} session
   * @param {(job) => void} onFinished called once the job is terminal
   */
  constructor({ api, live }, onFinished) {
    this.api = api;
    this.live = live;
    this.onFinished = onFinished;
    this.job = null;
    /** The job's stored result as last read (its link ages: results.js keepFresh). */
    this.result = null;
    /** Jobs whose end was reported, so a re-read after a reconnection does not report it twice. */
    this.finished = new Set();
    this.stopWatching = () => {};
    $('job-cancel').addEventListener('click', () => void this.cancel());
    keepFresh(
      $('result-download'),
      () => this.result,
      async () => {
        const { job } = await this.api.job(this.job.id);
        if (job) this.show(job);
        return this.result;
      },
    );
  }

  /** Shows a newly submitted job and follows it until it ends. */
  follow(job) {
    this.stopWatching();
    this.show(job);
    this.stopWatching = this.live.watch(job.id, this.api.jobUpdatedQuery(), {
      onUpdate: (update) => this.show(update),
      onError: ({ errors, close }) => this.showProblem(errors ? explainError(errors[0]) : (explainClose(close) ?? 'Live updates stopped.')),
    });
  }

  show(job) {
    this.job = job;
    $('job-section').hidden = false;
    $('job-id').textContent = job.id;
    const status = $('job-status');
    status.dataset.status = job.status;
    status.textContent = jobState(job);
    $('job-cancel').hidden = job.status !== 'QUEUED';
    const result = (this.result = storedResult(job));
    $('result').hidden = !result;
    if (result) {
      if ($('result-image').getAttribute('src') !== result.url) $('result-image').src = result.url;
      $('result-download').href = result.url;
      $('result-download').setAttribute('download', result.filename ?? 'result');
    } else {
      $('result-image').removeAttribute('src');
    }
    if (isTerminal(job) && !this.finished.has(job.id)) {
      this.finished.add(job.id);
      this.onFinished(job);
    }
  }

  showProblem(text) {
    const status = $('job-status');
    status.textContent = `${status.textContent} — ${text}`;
  }

  async cancel() {
    const id = this.job?.id;
    if (!id) return;
    await whileBusy($('job-cancel'), async () => {
      const { job, errors } = await this.api.cancelJob(id);
      if (job) this.show(job);
      else this.showProblem(explainError(errors?.[0]));
    });
  }
}
