// Which Discord account (by its channel) the saved faces live on. Listing the accounts needs an
// admin token (open dev mode is admin): then a menu, shown only when there is more than one. A
// viewer who cannot list them types or pastes the channel id the operator gave them instead.
import { $, el, setFieldError } from '../dom.js';

const STORAGE_KEY = 'picsi-graphql:channel';
const SNOWFLAKE = /^\d{17,20}$/;

const creditsLeft = (account) => Math.max(0, account.credits.total - account.credits.used);
const accountName = (account) =>
  `${account.label || `channel ${account.channel}`} — ${creditsLeft(account)} credits left today${account.enabled ? '' : ' (not available)'}`;

export class ChannelPicker {
  /** @param {() => void} onChange called when the chosen account changes */
  constructor({ api }, onChange) {
    this.api = api;
    this.onChange = onChange;
    this.accounts = null;
    $('channel-select').addEventListener('change', () => this.chose($('channel-select').value));
    $('channel-input').addEventListener('input', () => {
      setFieldError($('channel-error'), $('channel-input'), null);
      this.chose($('channel-input').value.trim());
    });
  }

  /** Lists the accounts when this token may; otherwise offers the channel id field. */
  async load() {
    const { data } = await this.api.accounts();
    this.accounts = data?.accounts ?? null;
    const saved = localStorage.getItem(STORAGE_KEY) ?? '';
    if (this.accounts) this.showMenu(saved);
    else this.showIdField(saved);
    this.onChange();
  }

  showMenu(saved) {
    const menu = $('channel-select');
    menu.replaceChildren(...this.accounts.map((a) => el('option', { value: a.channel, text: accountName(a) })));
    if (this.accounts.some((a) => a.channel === saved)) menu.value = saved;
    const several = this.accounts.length > 1;
    $('channel-field').hidden = !several;
    Object.assign($('channel-label'), { htmlFor: 'channel-select', textContent: 'Discord account' });
    $('channel-hint').textContent = 'Saved faces live in one Discord account: pick the one to use.';
    menu.hidden = false;
    $('channel-input').hidden = true;
  }

  showIdField(saved) {
    $('channel-field').hidden = false;
    Object.assign($('channel-label'), { htmlFor: 'channel-input', textContent: 'Discord channel id' });
    $('channel-hint').textContent =
      'Saved faces live in one Discord account. Paste the channel id the operator gave you; leave it empty if this server has one account.';
    $('channel-input').value = saved;
    $('channel-input').hidden = false;
    $('channel-select').hidden = true;
  }

  chose(channel) {
    if (channel) localStorage.setItem(STORAGE_KEY, channel);
    else localStorage.removeItem(STORAGE_KEY);
    this.onChange();
  }

  /** The chosen account, when the accounts are known. */
  account() {
    if (!this.accounts) return null;
    return this.accounts.length === 1 ? this.accounts[0] : (this.accounts.find((a) => a.channel === $('channel-select').value) ?? null);
  }

  /**
   * The channel for an identity command: { ok: true, channel } (null: the server's only account),
   * or { ok: false } after showing what is wrong with the typed id.
   */
  forIdentities() {
    if (this.accounts) return { ok: true, channel: this.accounts.length > 1 ? (this.account()?.channel ?? null) : null };
    const typed = $('channel-input').value.trim();
    if (typed === '' || SNOWFLAKE.test(typed)) return { ok: true, channel: typed || null };
    setFieldError($('channel-error'), $('channel-input'), 'Discord channel id: a channel id is a long number of 17 to 20 digits.');
    return { ok: false };
  }

  /** The plans whose GIF limits apply: the chosen account's for identities, every account's for a swap. */
  plans(forIdentities) {
    if (!this.accounts) return [];
    if (forIdentities) return [this.account()?.plan].filter(Boolean);
    return [...new Set(this.accounts.filter((a) => a.enabled).map((a) => a.plan))];
  }

  /** Shows a server refusal about the channel. */
  setProblem(text) {
    const control = this.accounts ? $('channel-select') : $('channel-input');
    setFieldError($('channel-error'), control, text ? `${$('channel-label').textContent}: ${text}` : null);
    if (text) $('channel-field').hidden = false;
  }
}
