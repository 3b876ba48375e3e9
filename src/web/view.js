// Rendering: the job panel, the error box and the recent-jobs table. No state lives here.

const $ = (id) => document.getElementById(id);

export function showError(text) {
  const box = $('error');
  box.textContent = text ?? '';
  box.hidden = !text;
}

const STATUS_TEXT = {
  QUEUED: (job) => (job.queuePosition ? `Queued — position ${job.queuePosition} in line` : 'Queued'),
  STARTED: () => 'Started — the bot is swapping faces…',
  COMPLETED: () => 'Completed',
  FAILED: () => 'Failed',
  CANCELLED: () => 'Cancelled',
};

/** Shows a job's state; `failure` is the sentence for a failed or cancelled job. */
export function showJob(job, failure) {
  $('job-section').hidden = false;
  $('job-id').textContent = job.id;
  const status = $('job-status');
  status.dataset.status = job.status;
  status.textContent = (STATUS_TEXT[job.status] ?? (() => job.status))(job) + (failure ? `: ${failure}` : '');
  const image = job.attachments?.[0];
  $('result').hidden = !image;
  if (image) {
    $('result-image').src = image.url;
    $('result-download').href = image.url;
    $('result-download').setAttribute('download', image.filename ?? 'result');
  }
}

export function resetJob() {
  $('job-section').hidden = true;
  $('result').hidden = true;
  $('result-image').removeAttribute('src');
}

/** Fills the recent-jobs table. */
export function showJobs(jobs) {
  const body = $('jobs').tBodies[0];
  body.replaceChildren(
    ...jobs.map((job) => {
      const row = document.createElement('tr');
      const created = document.createElement('td');
      created.textContent = new Date(job.created).toLocaleString();
      const status = document.createElement('td');
      status.textContent = job.status.toLowerCase();
      const result = document.createElement('td');
      const image = job.attachments?.[0];
      if (image) {
        const link = Object.assign(document.createElement('a'), { href: image.url, target: '_blank', rel: 'noopener' });
        link.append(Object.assign(document.createElement('img'), { src: image.url, alt: 'result', loading: 'lazy' }));
        result.append(link);
      } else result.textContent = job.code ? job.code.toLowerCase().replaceAll('_', ' ') : '—';
      row.append(created, status, result);
      return row;
    }),
  );
  if (jobs.length === 0) {
    const row = body.insertRow();
    Object.assign(row.insertCell(), { colSpan: 3, textContent: 'No jobs yet.' });
  }
}

/** Shows a picked file's preview inside its drop zone. */
export function showPreview(kind, file) {
  const preview = $(`${kind}-preview`);
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.hidden = !file;
  if (file) preview.src = URL.createObjectURL(file);
}
