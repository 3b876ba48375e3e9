// Wires the page: token, file pickers and drop zones, submit, live status, recent jobs.
import { Api } from './api.js';
import { explainClose, explainError, explainJob } from './messages.js';
import { resetJob, showError, showJob, showJobs, showPreview } from './view.js';

const settings = JSON.parse(document.getElementById('settings').textContent);
const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'picsi-graphql:token';
const api = new Api(() => localStorage.getItem(TOKEN_KEY) ?? '');
const files = { source: null, target: null };
let stopWatching = () => {};

const firstError = (errors) => explainError(errors?.[0]);
const mib = (bytes) => `${Math.round((bytes / 1048576) * 10) / 10} MB`;

function setUpToken() {
  if (!settings.authRequired) return;
  $('token-section').hidden = false;
  $('token-input').value = localStorage.getItem(TOKEN_KEY) ?? '';
  $('token-save').addEventListener('click', () => {
    const token = $('token-input').value.trim();
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
    api.tokenChanged();
    $('token-state').textContent = token ? 'Token saved in this browser.' : 'Token removed.';
    void refreshJobs();
  });
}

/** Stamps the drop-zone template into `<kind>-drop`: its preview is `<kind>-preview`, its file input `<kind>-input`. */
function setUpDrop(kind) {
  const drop = $(`${kind}-drop`);
  drop.append($('drop-zone').content.cloneNode(true));
  drop.querySelector('.drop-title').textContent = drop.dataset.title;
  drop.querySelector('img').id = `${kind}-preview`;
  const input = Object.assign(drop.querySelector('input'), { id: `${kind}-input`, name: kind });
  const pick = (file) => {
    files[kind] = file ?? null;
    showPreview(kind, files[kind]);
  };
  input.addEventListener('change', () => pick(input.files?.[0]));
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    pick(event.dataTransfer?.files?.[0]);
  });
}

function chosenOptions() {
  const flags = [...document.querySelectorAll('fieldset input[type="checkbox"]:checked')].map((box) => box.value);
  return [...flags, $('options-extra').value.trim()].filter(Boolean).join(' ');
}

async function submit(event) {
  event.preventDefault();
  showError(null);
  if (!files.source || !files.target) return showError('Pick a face and a target image first.');
  stopWatching();
  resetJob();
  $('submit').disabled = true;
  try {
    const { job, errors } = await api.picsi(files.source, files.target, chosenOptions());
    if (!job) return showError(firstError(errors));
    showJob(job);
    follow(job.id);
  } finally {
    $('submit').disabled = false;
  }
}

function follow(id) {
  stopWatching = api.watchJob(id, {
    onUpdate: (job) => {
      const failed = job.status === 'FAILED' || job.status === 'CANCELLED';
      showJob(job, failed ? explainJob(job) : undefined);
      if (job.status !== 'QUEUED' && job.status !== 'STARTED') void refreshJobs();
    },
    onError: ({ errors, close }) => showError(errors ? firstError(errors) : (explainClose(close) ?? 'Live updates stopped.')),
  });
}

async function refreshJobs() {
  // Without a token there is nothing to list yet: the token box says what to do.
  if (settings.authRequired && !localStorage.getItem(TOKEN_KEY)) return showJobs([]);
  const { data, errors } = await api.recentJobs(10);
  if (!data) {
    showJobs([]);
    if (errors) showError(firstError(errors));
    return;
  }
  showJobs(data.jobs.edges.map((edge) => edge.node));
}

$('limits').textContent =
  `PNG, JPEG, GIF or WebP; at most ${mib(settings.maxFileBytes)} and ${Math.round(settings.maxPixels / 1e6)} megapixels each.`;
setUpToken();
setUpDrop('source');
setUpDrop('target');
$('picsi-form').addEventListener('submit', submit);
$('jobs-refresh').addEventListener('click', () => void refreshJobs());
void refreshJobs();
