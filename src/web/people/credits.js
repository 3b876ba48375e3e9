// How many credits are left today, under the swap button: read from the accounts (admin tokens,
// and open dev mode where everyone is admin); nothing is shown to a token that cannot read them.
// The simulator's demo account says it is one, so a person knows how far the demo goes.
import { $ } from '../dom.js';

const DEMO_LABEL = 'simulated demo account';

export class CreditsLeft {
  /** @param {object} session { api, settings } */
  constructor(session) {
    this.session = session;
  }

  async refresh() {
    const { data } = await this.session.api.accounts();
    $('credits-left').textContent = data?.accounts ? this.sentence(data.accounts) : '';
  }

  sentence(accounts) {
    const usable = accounts.filter((a) => a.enabled);
    const left = usable.reduce((sum, a) => sum + Math.max(0, a.credits.total - a.credits.used), 0);
    const total = usable.reduce((sum, a) => sum + a.credits.total, 0);
    const cost = this.session.settings.credits.picsi;
    const swaps = cost > 0 ? `, enough for about ${Math.floor(left / cost)} swaps (${cost} credits each; a GIF costs more)` : '';
    const back = 'They come back at 00:00 UTC.';
    if (usable.length === 0) return 'No account takes jobs right now (the operator paused them, or they need a person).';
    const demo = usable.length === 1 && usable[0].label === DEMO_LABEL;
    const where = demo ? 'the demo account (simulated)' : usable.length === 1 ? 'this server' : `${usable.length} accounts`;
    return `Credits left today on ${where}: ${left} of ${total}${swaps}. ${back}`;
  }
}
