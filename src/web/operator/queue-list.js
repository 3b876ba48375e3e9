// The operator view's queue by channel (queued jobs grouped by the account they asked for, or any)
// and its recent alerts: each account's last health signal, newest first.
import { el } from '../dom.js';
import { accountName } from './account-card.js';

/** Jobs shown per channel; the count says how many more wait. */
const SHOWN_PER_CHANNEL = 5;

/** @param {Map<string, object>} accounts by channel @param {object[]} queued QUEUED jobs @param {boolean} more the first read was cut */
export function queueItems(accounts, queued, more) {
  const groups = new Map();
  for (const job of [...queued].sort((a, b) => (a.queuePosition ?? 0) - (b.queuePosition ?? 0))) {
    const key = job.channel ?? '';
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  if (groups.size === 0) return [el('li', { text: 'No job is waiting.' })];
  return [...groups].map(([channel, jobs]) => {
    const account = accounts.get(channel);
    const name = channel === '' ? 'Any account' : account ? accountName(account) : `channel ${channel}`;
    const count = `${jobs.length}${more ? '+' : ''} waiting`;
    const shown = jobs
      .slice(0, SHOWN_PER_CHANNEL)
      .map((j) => el('li', { text: `#${j.queuePosition ?? '?'} /${j.command.toLowerCase()} ${j.id}` }));
    return el('li', {}, el('strong', { text: `${name}: ${count}` }), el('ol', { className: 'queued' }, ...shown));
  });
}

/** The accounts' last signals (reason set), newest first. */
export function alertItems(accounts) {
  const signalled = [...accounts.values()].filter((a) => a.health.reason).sort((a, b) => b.health.since.localeCompare(a.health.since));
  if (signalled.length === 0) return [el('li', { text: 'No alert: every account is as it should be.' })];
  return signalled.map((a) => {
    const time = el('time', { dateTime: a.health.since, text: new Date(a.health.since).toLocaleString() });
    const what = `${accountName(a)}: ${a.health.state} — ${a.health.reason}${a.health.message ? `: ${a.health.message}` : ''}`;
    return el('li', {}, time, ' ', what);
  });
}
