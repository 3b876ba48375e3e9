// One account in the operator view: its state and why, credits, pacing, what it runs now, and the
// pause or resume button. The card is built once and updated in place, so the focus stays on its
// button while the account changes under it.
import { el } from '../dom.js';

const STATES = {
  ACTIVE: 'Active: takes jobs',
  COOLING_DOWN: 'Cooling down',
  OUT_OF_CREDITS: 'Out of credits',
  NEEDS_PERSON: 'Needs a person',
  PAUSED: 'Paused',
};

const seconds = (ms) => `${Math.round(ms / 100) / 10} s`;
const clock = (iso) => new Date(iso).toLocaleString();

export const accountName = (account) => account.label || `channel ${account.channel}`;

function pacingText({ minGapMs, jitterMs, dailyCommands, activeHours, timezone }) {
  const parts = [minGapMs || jitterMs ? `${seconds(minGapMs)} + up to ${seconds(jitterMs)} between commands` : 'no pacing'];
  if (dailyCommands !== null) parts.push(`at most ${dailyCommands} commands a day`);
  if (activeHours) parts.push(`active ${activeHours} ${timezone}`);
  return parts.join('; ');
}

function stateText({ health }) {
  const why = [health.reason, health.message].filter(Boolean).join(': ');
  const until = health.until ? ` until ${clock(health.until)}` : '';
  return `${STATES[health.state] ?? health.state}${until}${why ? ` — ${why}` : ''}`;
}

export class AccountCard {
  /** @param {(account, card: AccountCard) => void} onToggle pause or resume was pressed */
  constructor(onToggle) {
    this.title = el('h3');
    this.state = el('p', { className: 'account-state' });
    this.facts = el('dl', { className: 'facts' });
    this.evidence = el('details', {}, el('summary', { text: 'Evidence' }), el('pre'));
    this.error = el('p', { className: 'error', attrs: { role: 'alert' }, hidden: true });
    this.button = el('button', { type: 'button' });
    this.button.addEventListener('click', () => onToggle(this.account, this));
    this.node = el('li', { className: 'account' }, this.title, this.state, this.facts, this.evidence, this.error, this.button);
  }

  /** @param {object} account the Account fields of src/web/api.js @param {object | null} job the job it runs */
  update(account, job) {
    this.account = account;
    this.node.dataset['state'] = account.health.state;
    this.title.textContent = `${accountName(account)} (${account.plan.toLowerCase()})`;
    this.state.textContent = stateText(account);
    const left = Math.max(0, account.credits.total - account.credits.used);
    // From the jobs stream: accountUpdated is not sent when a job starts or ends, so its `busy` goes stale.
    const now = job ? `busy: job ${job.id} (/${job.command.toLowerCase()})` : account.foreignCommand ? 'busy' : 'idle';
    this.facts.replaceChildren(
      ...fact('Channel', account.channel),
      ...fact('Credits', `${left} of ${account.credits.total} left today`),
      ...fact('Pacing', pacingText(account.pacing)),
      ...fact('Now', account.foreignCommand ? `${now} (a command this server did not send)` : now),
    );
    this.evidence.hidden = account.health.evidence === null;
    this.evidence.querySelector('pre').textContent = account.health.evidence ?? '';
    const paused = account.health.state === 'PAUSED' || account.health.state === 'NEEDS_PERSON';
    this.button.textContent = paused ? 'Resume' : 'Pause';
    this.button.setAttribute('aria-label', `${paused ? 'Resume' : 'Pause'} ${accountName(account)}`);
    this.button.className = paused ? '' : 'secondary';
  }

  showError(text) {
    this.error.textContent = text ?? '';
    this.error.hidden = !text;
  }
}

const fact = (term, value) => [el('dt', { text: term }), el('dd', { text: value })];
