// The swap form: a face from an image (picsi) or from saved faces (swapId) onto a target.
import { $, setFieldError, whileBusy } from '../dom.js';
import { inputTarget, showRefusal } from './field-errors.js';
import { parseNames } from './names.js';

export class SwapForm {
  /**
   * @param {object} session { api, settings, channel, rules(kind) }
   * @param {{ source: import('./drop-zone.js').DropZone, target: import('./drop-zone.js').DropZone }} zones
   * @param {(job) => void} onJob called with each accepted job
   */
  constructor(session, zones, onJob) {
    this.session = session;
    this.zones = zones;
    this.onJob = onJob;
    this.names = inputTarget($('swap-names'), $('swap-names-error'), 'Saved faces to use');
    this.options = inputTarget($('options-extra'), $('options-extra-error'), 'More options');
    const form = $('picsi-form');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    form.addEventListener('change', (event) => {
      if (event.target.name === 'face-from') this.showMode();
      setFieldError($('swap-error'), null, null);
    });
    $('swap-names').addEventListener('input', () => this.names.setProblem(null));
    $('options-extra').addEventListener('input', () => this.options.setProblem(null));
  }

  byNames() {
    return new FormData($('picsi-form')).get('face-from') === 'names';
  }

  showMode() {
    const byNames = this.byNames();
    this.zones.source.container.hidden = byNames;
    $('swap-names-field').hidden = !byNames;
    $('options').hidden = byNames;
    void this.zones.target.recheck();
  }

  /** Adds a saved face to the names to swap (and switches to swapping saved faces). */
  useName(name) {
    document.querySelector('input[name="face-from"][value="names"]').checked = true;
    this.showMode();
    const names = $('swap-names')
      .value.split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    $('swap-names').value = [...names, name].join(', ');
    this.names.setProblem(null);
    $('swap-names').focus();
  }

  chosenOptions() {
    const flags = [...$('options').querySelectorAll('input[type="checkbox"]:checked')].map((box) => box.value);
    return [...flags, $('options-extra').value.trim()].filter(Boolean).join(' ');
  }

  /** The request to send, or null after showing what is missing. */
  request() {
    const target = this.zones.target.required();
    if (!this.byNames()) {
      const source = this.zones.source.required();
      return source && target ? { command: 'picsi', input: { source, target, options: this.chosenOptions() } } : null;
    }
    const { names, problem } = parseNames($('swap-names').value, this.session.settings.idName.maxLength);
    this.names.setProblem(problem);
    const channel = this.session.channel.forIdentities();
    if (problem || !target || !channel.ok) return null;
    return { command: 'swapId', input: { target, idname: names.join(','), channel: channel.channel } };
  }

  async submit() {
    setFieldError($('swap-error'), null, null);
    const request = this.request();
    if (!request) return;
    await whileBusy($('swap-submit'), async () => {
      const { job, errors } = await this.session.api[request.command](request.input);
      if (job) return this.onJob(job);
      const { source, target } = this.zones;
      const fields = {
        source_image: source,
        target_image_gif_or_video: target,
        image: target,
        targetImage: target,
        options: this.options,
        idname: this.names,
        channel: this.session.channel,
      };
      showRefusal(errors, fields, $('swap-error'));
    });
  }
}
