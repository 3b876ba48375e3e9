// Small DOM helpers shared by every view: lookups, element building and a field's error text.

export const $ = (id) => document.getElementById(id);

/** An element with properties (`text` sets textContent) and children. */
export function el(tag, props = {}, ...children) {
  const { text, attrs, ...rest } = props;
  const node = Object.assign(document.createElement(tag), rest);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** Shows `text` in an error paragraph (hidden when empty) and marks `control` invalid while it shows. */
export function setFieldError(box, control, text) {
  box.textContent = text ?? '';
  box.hidden = !text;
  if (!control) return;
  if (text) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

/** Runs `work` with `button` disabled; the button is enabled again however `work` ends. */
export async function whileBusy(button, work) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}
