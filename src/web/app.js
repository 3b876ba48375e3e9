// Starts the page: the settings the server wrote into it, the API client, the live connection and
// its "reconnecting…" notice, then the views. Views are modules under their own folder (people/,
// operator/); each takes this session and owns its part of the page. The address's #operator
// shows the operator view (read when first shown), anything else the page for people.
import { Api } from './api.js';
import { $ } from './dom.js';
import { Live } from './live.js';
import { OperatorView } from './operator/view.js';
import { mountPeopleView } from './people/view.js';
import { storedToken } from './people/token.js';

const LIVE_STATES = {
  idle: null,
  connected: null,
  reconnecting: 'Reconnecting to the server… live updates are paused; your jobs go on.',
};

const settings = JSON.parse($('settings').textContent);
const api = new Api(storedToken);
const live = new Live(
  () => api.authHeaders(),
  (id) => api.job(id),
);
live.onState((state) => {
  const text = LIVE_STATES[state];
  // The region stays in the page (empty and flat) so that screen readers announce its change.
  $('live-state').textContent = text ?? '';
});

let operator = null;
function route() {
  const operatorShown = location.hash === '#operator';
  $('people-view').hidden = operatorShown;
  $('operator-view').hidden = !operatorShown;
  $(operatorShown ? 'nav-people' : 'nav-operator').removeAttribute('aria-current');
  $(operatorShown ? 'nav-operator' : 'nav-people').setAttribute('aria-current', 'page');
  if (operatorShown && !operator) {
    operator = new OperatorView({ settings, api, live });
    void operator.start();
  }
}

await api.learnJobFields();
route();
window.addEventListener('hashchange', route);
// A new token may see other jobs and accounts: the operator view reads everything again.
await mountPeopleView({ settings, api, live, onToken: () => void operator?.start() });
