// The operator view (#operator, admin tokens): every account live (accountUpdated), pause and
// resume, the queue by channel and what each account runs (jobsUpdated), recent alerts, /metrics.
import { $, setFieldError, whileBusy } from '../dom.js';
import { explainError } from '../messages.js';
import { AccountCard } from './account-card.js';
import { alertItems, queueItems } from './queue-list.js';

const WATCHED = new Set(['QUEUED', 'STARTED']);

export class OperatorView {
  /** @param {{ api: import('../api.js').Api, live: import('../live.js').Live, settings }} session */
  constructor(session) {
    this.session = session;
    this.accounts = new Map();
    this.jobs = new Map();
    this.cards = new Map();
    this.stops = [];
    this.more = false;
    $('op-refresh').addEventListener('click', () => void whileBusy($('op-refresh'), () => this.load()));
    $('op-metrics').addEventListener('click', (event) => {
      if (!session.settings.authRequired) return;
      // A link cannot send the token: read /metrics with it and show the text here.
      event.preventDefault();
      void this.showMetrics();
    });
  }

  /** Reads everything, then follows the changes. Called when the view opens and when the token changes. */
  async start() {
    this.stop();
    if (!(await this.load())) return;
    const streams = this.session.api.operatorStreams();
    const onError = ({ errors }) => this.problem(errors?.[0] ? explainError(errors[0]) : 'The live connection was refused.');
    const onReconnect = () => void this.load();
    this.stops = [
      this.session.live.stream(streams.accounts, {}, { onNext: (d) => this.onAccount(d.accountUpdated), onError, onReconnect }),
      this.session.live.stream(streams.jobs, {}, { onNext: (d) => this.onJob(d.jobsUpdated), onError, onReconnect }),
    ];
  }

  stop() {
    for (const stop of this.stops) stop();
    this.stops = [];
  }

  /** True when this token may see the accounts. */
  async load() {
    const api = this.session.api;
    const [accounts, queued, started] = await Promise.all([api.operatorAccounts(), api.jobsIn('QUEUED'), api.jobsIn('STARTED')]);
    const refused = accounts.errors?.[0] ?? queued.errors?.[0] ?? started.errors?.[0];
    if (refused || !accounts.data) {
      const code = refused?.extensions?.code;
      const admin = code === 'FORBIDDEN' || code === 'UNAUTHENTICATED';
      this.problem(admin ? 'The operator view needs an admin token (ADMIN_TOKENS): enter one under API token.' : explainError(refused));
      return false;
    }
    this.problem(null);
    this.accounts = new Map(accounts.data.accounts.map((a) => [a.channel, a]));
    const jobs = [...queued.data.jobs.edges, ...started.data.jobs.edges].map((e) => e.node);
    this.jobs = new Map(jobs.map((j) => [j.id, j]));
    this.more = queued.data.jobs.pageInfo.hasNextPage;
    this.render();
    return true;
  }

  onAccount(account) {
    this.accounts.set(account.channel, account);
    this.render();
  }

  onJob(job) {
    if (WATCHED.has(job.status)) this.jobs.set(job.id, job);
    else this.jobs.delete(job.id);
    this.render();
  }

  render() {
    const running = new Map([...this.jobs.values()].filter((j) => j.status === 'STARTED').map((j) => [j.channel, j]));
    for (const [channel, account] of this.accounts) {
      let card = this.cards.get(channel);
      if (!card) {
        card = new AccountCard((a, c) => void this.toggle(a, c));
        this.cards.set(channel, card);
        $('op-accounts').append(card.node);
      }
      card.update(account, running.get(channel) ?? null);
    }
    for (const [channel, card] of this.cards) if (!this.accounts.has(channel)) card.node.remove();
    const queued = [...this.jobs.values()].filter((j) => j.status === 'QUEUED');
    $('op-queue').replaceChildren(...queueItems(this.accounts, queued, this.more));
    $('op-alerts').replaceChildren(...alertItems(this.accounts));
    const busy = [...this.accounts.values()].filter((a) => a.foreignCommand || running.has(a.channel)).length;
    $('op-status').textContent =
      `${this.accounts.size} accounts, ${busy} busy, ${queued.length}${this.more ? '+' : ''} jobs waiting. Updated live.`;
  }

  async toggle(account, card) {
    const pause = !(account.health.state === 'PAUSED' || account.health.state === 'NEEDS_PERSON');
    await whileBusy(card.button, async () => {
      const { account: changed, errors } = await this.session.api.setPaused(pause, account.channel);
      const error = errors?.[0];
      // An operator reads the server's own words: resume names the check that failed.
      card.showError(error ? `Could not ${pause ? 'pause' : 'resume'}: ${error.message}` : null);
      if (changed) this.onAccount(changed);
    });
  }

  async showMetrics() {
    const response = await fetch('/metrics', { headers: this.session.api.authHeaders() }).catch(() => null);
    const text = response?.ok ? await response.text() : `Could not read /metrics (${response ? `HTTP ${response.status}` : 'network'}).`;
    $('op-metrics-text').textContent = text;
    $('op-metrics-text').hidden = false;
  }

  problem(text) {
    setFieldError($('op-error'), null, text);
  }
}
