// The page for people: token, swap, the job being swapped, saved faces and their account, history.
import { $ } from '../dom.js';
import { ChannelPicker } from './channel.js';
import { CreditsLeft } from './credits.js';
import { DropZone } from './drop-zone.js';
import { History } from './history.js';
import { JobCard } from './job-card.js';
import { SavedFaces } from './saved-faces.js';
import { SwapForm } from './swap.js';
import { TokenBox } from './token.js';

const megabytes = (bytes) => `${Math.round((bytes / 1048576) * 10) / 10} MB`;

/** The GIF limits that apply on these plans; unknown plans: only what every plan refuses. */
function gifRules({ gif }, plans) {
  const frames = plans.map((p) => gif.maxFrames[p]).filter(Boolean);
  return { maxBytes: gif.maxBytes, maxFrames: frames.length ? Math.min(...frames) : Math.max(...Object.values(gif.maxFrames)) };
}

/** @param {{ settings, api: import('../api.js').Api, live: import('../live.js').Live }} base */
export async function mountPeopleView(base) {
  const { settings } = base;
  const session = { ...base };
  const token = new TokenBox(session, () => {
    void refreshAll();
    base.onToken?.();
  });
  session.canList = () => token.ready();
  // Called once the accounts are read (after every part below exists).
  session.channel = new ChannelPicker(session, () => {
    faces.channelChanged();
    void zones.target.recheck();
  });
  const still = () => ({ maxFileBytes: settings.maxFileBytes, maxPixels: settings.maxPixels, gif: null });
  const target = () => ({ ...still(), gif: gifRules(settings, session.channel.plans(swap.byNames())) });
  const zone = (kind, rules) => new DropZone(document.querySelector(`.drop[data-kind="${kind}"]`), rules);
  const zones = { source: zone('source', still), target: zone('target', target) };
  const history = new History(session);
  const credits = new CreditsLeft(session);
  const refreshHistory = () => {
    void history.load();
    void credits.refresh();
  };
  const card = new JobCard(session, refreshHistory);
  const swap = new SwapForm(session, zones, (job) => {
    card.follow(job);
    void history.load();
  });
  const faces = new SavedFaces(session, zone('save', still), { useName: (name) => swap.useName(name), onJob: refreshHistory });
  $('limits').textContent =
    `PNG, JPEG, GIF or WebP; at most ${megabytes(settings.maxFileBytes)} and ${Math.round(settings.maxPixels / 1e6)} megapixels each.`;

  async function refreshAll() {
    await Promise.all([session.channel.load(), history.reset(), credits.refresh()]);
  }
  await token.check();
  await refreshAll();
}
