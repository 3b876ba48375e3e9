// A drop zone for one image: stamped from the page's template, picked by click, keyboard or drop,
// checked in the page before anything is uploaded (image-check.js), previewed, and with its own
// error text, cleared as soon as a good file is picked.
import { $, setFieldError } from '../dom.js';
import { checkImage } from '../image-check.js';

export class DropZone {
  /**
   * @param {HTMLElement} container a `.drop` element with data-kind and data-title
   * @param {() => object} rules the checks for this zone (image-check.js checkImage's rules)
   * @param {() => void} onChange called after every pick, good or not
   */
  constructor(container, rules, onChange = () => {}) {
    const kind = container.dataset.kind;
    this.container = container;
    this.label = container.dataset.title;
    this.rules = rules;
    this.onChange = onChange;
    this.file = null;
    container.append($('drop-zone').content.cloneNode(true));
    this.area = container.querySelector('.drop-area');
    this.preview = container.querySelector('img');
    this.error = Object.assign(container.querySelector('.field-error'), { id: `${kind}-drop-error` });
    const title = Object.assign(container.querySelector('.drop-title'), { id: `${kind}-drop-title`, textContent: this.label });
    const hint = Object.assign(container.querySelector('.drop-hint'), { id: `${kind}-drop-hint` });
    this.input = Object.assign(container.querySelector('input'), { id: `${kind}-input`, name: kind });
    this.input.setAttribute('aria-labelledby', title.id);
    this.input.setAttribute('aria-describedby', `${hint.id} ${this.error.id}`);
    this.input.addEventListener('change', () => void this.pick(this.input.files?.[0]));
    this.listenForDrops();
  }

  listenForDrops() {
    this.area.addEventListener('dragover', (event) => {
      event.preventDefault();
      this.area.classList.add('over');
    });
    this.area.addEventListener('dragleave', () => this.area.classList.remove('over'));
    this.area.addEventListener('drop', (event) => {
      event.preventDefault();
      this.area.classList.remove('over');
      void this.pick(event.dataTransfer?.files?.[0]);
    });
  }

  /** Checks and keeps `file` (or shows why not). */
  async pick(file) {
    this.file = null;
    this.showPreview(null);
    if (!file) return this.setProblem(null);
    const checked = await checkImage(file, this.rules());
    if (!checked.ok) {
      this.setProblem(checked.problem);
    } else {
      this.file = file;
      this.setProblem(null);
      this.showPreview(file);
    }
    this.onChange();
  }

  /** Checks the kept file again (the rules changed, e.g. another account's plan). */
  async recheck() {
    if (this.file) await this.pick(this.file);
  }

  /** Shows a problem with this zone's file; `problem` is worded without the label (null clears). */
  setProblem(problem) {
    setFieldError(this.error, this.input, problem ? `${this.label}: ${problem}` : null);
  }

  /** The picked file, or null after showing why one is needed. */
  required() {
    if (!this.file && this.error.hidden) this.setProblem('pick an image first.');
    return this.file;
  }

  clear() {
    this.file = null;
    this.input.value = '';
    this.showPreview(null);
    this.setProblem(null);
  }

  showPreview(file) {
    if (this.preview.src) URL.revokeObjectURL(this.preview.src);
    this.preview.removeAttribute('src');
    this.preview.hidden = !file;
    if (file) this.preview.src = URL.createObjectURL(file);
  }
}
