// Saved faces: the bot's identity commands on one account. Save a face under a name (saveId), list
// the names (listIds), make one the default (setId), delete one (deleteId) or all (deleteAllIds).
// Each is a job like a swap: followed live, its state in the status line. After a change the list
// is read again from the bot, so what the page shows is what the bot holds.
import { $, el, setFieldError, whileBusy } from '../dom.js';
import { explainClose, explainError, explainJob, jobState } from '../messages.js';
import { inputTarget, showRefusal } from './field-errors.js';
import { isTerminal } from './job-card.js';
import { nameProblem } from './names.js';

/** Per command: what the status line says while it runs and once it is done. */
const ACTIONS = {
  listIds: { doing: () => 'Reading the saved faces from the bot', done: (job) => listedText(job) },
  saveId: { doing: (n) => `Saving ${n}`, done: (job) => `Saved ${job.idname}.` },
  setId: { doing: (n) => `Making ${n} the default`, done: (job) => `${job.idname} is now the default.` },
  deleteId: { doing: (n) => `Deleting ${n}`, done: (job) => `Deleted ${job.idname}.` },
  deleteAllIds: { doing: () => 'Deleting every saved face', done: () => 'Deleted every saved face.' },
};

function listedText(job) {
  if (!job.identities) return 'The bot answered, but its list could not be read.';
  const count = job.identities.length;
  return count === 1 ? '1 saved face.' : `${count} saved faces.`;
}

export class SavedFaces {
  /**
   * @param {object} session { api, live, settings, channel }
   * @param {import('./drop-zone.js').DropZone} saveZone the face to save
   * @param {{ useName(name): void, onJob(job): void }} hooks onJob: a job was accepted or ended
   */
  constructor(session, saveZone, hooks) {
    this.session = session;
    this.saveZone = saveZone;
    this.hooks = hooks;
    this.names = null;
    this.nameField = inputTarget($('save-name'), $('save-name-error'), 'Name');
    $('save-name-hint').textContent = `Letters and digits, at most ${session.settings.idName.maxLength}.`;
    $('save-name').addEventListener('input', () => this.nameField.setProblem(null));
    $('save-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.save();
    });
    $('ids-refresh').addEventListener('click', () => void this.run($('ids-refresh'), 'listIds'));
    $('ids-delete-all').addEventListener('click', () => {
      if (confirm('Delete every saved face of this account? This cannot be undone.')) void this.run($('ids-delete-all'), 'deleteAllIds');
    });
    this.render();
  }

  /** The account changed: its names are not known until asked. */
  channelChanged() {
    this.names = null;
    this.render();
  }

  async save() {
    const idname = $('save-name').value.trim();
    const problem = nameProblem(idname, this.session.settings.idName.maxLength);
    this.nameField.setProblem(problem);
    const image = this.saveZone.required();
    if (problem || !image) return;
    await this.run($('save-submit'), 'saveId', { image, idname });
  }

  /** Sends one identity command (with the chosen channel) and follows its job. */
  async run(button, command, input = {}) {
    for (const box of ['save-error', 'ids-error']) setFieldError($(box), null, null);
    const channel = this.session.channel.forIdentities();
    if (!channel.ok) return;
    const { api } = this.session;
    await whileBusy(button, async () => {
      const request = { ...input, channel: channel.channel };
      const pending =
        command === 'saveId' ? api.saveId(request) : input.idname ? api.named(command, request) : api.account(command, request.channel);
      const { job, errors } = await pending;
      if (job) return this.follow(command, job);
      const fields = { image: this.saveZone, idname: this.nameField, channel: this.session.channel };
      showRefusal(errors, fields, $(command === 'saveId' ? 'save-error' : 'ids-error'));
    });
  }

  follow(command, job) {
    const action = ACTIONS[command];
    const show = (update) => {
      if (!isTerminal(update)) return this.say(`${action.doing(update.idname)} — ${jobState(update)}`);
      if (update.status !== 'COMPLETED') return this.say(`${action.doing(update.idname)}: ${explainJob(update)}`);
      this.say(action.done(update));
      this.completed(command, update);
    };
    show(job);
    this.hooks.onJob(job);
    if (isTerminal(job)) return;
    let ended = false;
    this.session.live.watch(job.id, this.session.api.jobUpdatedQuery(), {
      onUpdate: (update) => {
        if (ended) return;
        show(update);
        if (isTerminal(update)) {
          ended = true;
          this.hooks.onJob(update);
        }
      },
      onError: ({ errors, close }) => this.say(errors ? explainError(errors[0]) : (explainClose(close) ?? 'Live updates stopped.')),
    });
  }

  completed(command, job) {
    if (command === 'listIds') {
      this.names = job.identities;
      this.defaultName = job.defaultIdentity;
      return this.render();
    }
    if (command === 'saveId') this.saveZone.clear();
    if (command === 'saveId') $('save-name').value = '';
    // The bot holds the truth: read the list again after every change.
    void this.run($('ids-refresh'), 'listIds');
  }

  say(text) {
    $('ids-status').textContent = text;
  }

  render() {
    const list = $('ids-list');
    if (!this.names)
      return list.replaceChildren(el('li', { className: 'empty', text: 'Press Refresh list to ask the bot for the saved faces.' }));
    if (this.names.length === 0) return list.replaceChildren(el('li', { className: 'empty', text: 'No saved faces yet.' }));
    list.replaceChildren(...this.names.map((name) => this.row(name)));
  }

  row(name) {
    const button = (text, label, onClick, className = 'secondary') => {
      const b = el('button', { type: 'button', className, text, attrs: { 'aria-label': label } });
      b.addEventListener('click', () => onClick(b));
      return b;
    };
    const isDefault = this.defaultName && this.defaultName.toLowerCase() === name.toLowerCase();
    return el(
      'li',
      {},
      el('span', { className: 'name', text: name }),
      isDefault ? el('span', { className: 'badge', text: 'default' }) : null,
      el(
        'span',
        { className: 'actions' },
        button('Use', `Use ${name} in the swap`, () => this.hooks.useName(name)),
        button('Make default', `Make default: ${name}`, (b) => void this.run(b, 'setId', { idname: name })),
        button('Delete', `Delete ${name}`, (b) => void this.run(b, 'deleteId', { idname: name }), 'danger'),
      ),
    );
  }
}
