// A server refusal shown on the field it is about (extensions.field), in people's words; refusals
// of no field go to the form's own error box.
import { setFieldError } from '../dom.js';
import { explainError } from '../messages.js';

/** The server's wording with its parameter prefix removed ("Param x must…" → "must…"). */
function problemText(error) {
  const { width, height, maxPixels, max } = error.extensions ?? {};
  if (width && height && maxPixels)
    return `this image is ${width}×${height} pixels; the most is ${Math.round(maxPixels / 100_000) / 10} megapixels. Shrink it and pick it again.`;
  if (/frames/.test(error.message) && max) return `this GIF has too many frames for this account's plan (at most ${max}).`;
  return `${error.message.replace(/^(Required |Optional )?[Pp]aram \S+( or \S+)? /, '').replace(/^Invalid options: /, '')}.`;
}

/** Refusals about one field, worded to follow the field's label. */
const FIELD_PROBLEMS = {
  BAD_USER_INPUT: problemText,
  CHANNEL_REQUIRED: () =>
    'required, since this server has several Discord accounts. Paste the channel id of the one your faces are saved on.',
};

/**
 * Routes `errors` to their fields: `fields` maps a server field name to { setProblem(text) } (a
 * DropZone, or `inputTarget(...)`); the rest goes to `box`. Returns true when something was shown.
 */
export function showRefusal(errors, fields, box) {
  const error = errors?.[0];
  if (!error) return false;
  const code = error.extensions?.code;
  const target = code in FIELD_PROBLEMS ? fields[error.extensions.field] : null;
  if (target) target.setProblem(FIELD_PROBLEMS[code](error));
  else setFieldError(box, null, code === 'BAD_USER_INPUT' ? `The request was refused: ${error.message}.` : explainError(error));
  return true;
}

/** A text input and its error paragraph as a field `showRefusal` can fill; `label` prefixes the text. */
export function inputTarget(input, box, label) {
  return {
    setProblem: (text) => setFieldError(box, input, text ? `${label}: ${text}` : null),
  };
}
