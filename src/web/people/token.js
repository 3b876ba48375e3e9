// The API token, when the server needs one: kept in this browser (localStorage), checked with the
// server as soon as it is saved (Enter or the button), and the answer shown beside the field.
import { $, whileBusy } from '../dom.js';
import { explainError, tokenRefusal } from '../messages.js';

const STORAGE_KEY = 'picsi-graphql:token';

export const storedToken = () => localStorage.getItem(STORAGE_KEY) ?? '';

export class TokenBox {
  /**
   * @param {object} session { settings, api, live }
   * @param {() => void} onChange called after a token was saved and checked
   */
  constructor(session, onChange) {
    this.session = session;
    this.onChange = onChange;
    this.accepted = !session.settings.authRequired;
    if (!session.settings.authRequired) return;
    $('token-section').hidden = false;
    $('token-input').value = storedToken();
    $('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void whileBusy($('token-save'), () => this.save());
    });
  }

  async save() {
    const token = $('token-input').value.trim();
    if (token) localStorage.setItem(STORAGE_KEY, token);
    else localStorage.removeItem(STORAGE_KEY);
    this.session.live.reset();
    await this.check();
    this.onChange();
  }

  /** Asks the server whether the stored token is good, and says so. */
  async check() {
    if (!this.session.settings.authRequired) return;
    if (!storedToken()) return this.say(false, 'This server needs a token. It is kept in this browser only.');
    const { data, errors } = await this.session.api.jobs(1);
    const error = errors?.[0];
    if (data) return this.say(true, 'Token accepted. It is kept in this browser only.');
    if (error?.extensions?.code === 'UNAUTHENTICATED') {
      const why = tokenRefusal(error.extensions.reason) ?? 'it is not valid here';
      return this.say(false, `This token was refused: ${why}.`, true);
    }
    this.say(false, `The token could not be checked: ${explainError(error)}`);
  }

  say(accepted, text, refused = false) {
    this.accepted = accepted;
    $('token-state').textContent = text;
    $('token-state').classList.toggle('refused', refused);
    if (refused) $('token-input').setAttribute('aria-invalid', 'true');
    else $('token-input').removeAttribute('aria-invalid');
  }

  /** Whether jobs can be listed: open mode, or a token the server took. */
  ready() {
    return this.accepted;
  }
}
