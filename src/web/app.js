// Starts the page: the settings the server wrote into it, the API client, the live connection and
// its "reconnecting…" notice, then the view. Views are modules under their own folder (people/);
// each takes this session and owns its part of the page.
import { Api } from './api.js';
import { $ } from './dom.js';
import { Live } from './live.js';
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

await api.learnJobFields();
await mountPeopleView({ settings, api, live });
