// The bot's rules for saved-face names, checked in the page (the server checks them too:
// src/jobs/identity-names.ts). Problems are worded for people, without the field's label.

const NAME_CHARS = /^[A-Za-z0-9]+$/;

/** A problem with one name, or null. */
export function nameProblem(name, maxLength) {
  if (name === '') return 'type a name.';
  if (!NAME_CHARS.test(name)) return `"${name}" may contain only letters and digits (no spaces or signs).`;
  if (name.length > maxLength) return `"${name}" is ${name.length} characters long; at most ${maxLength} are allowed.`;
  return null;
}

/** Comma-separated names: { names, problem }. */
export function parseNames(text, maxLength) {
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0) return { names, problem: 'type or pick at least one saved face.' };
  const problem = names.map((n) => nameProblem(n, maxLength)).find(Boolean) ?? null;
  return { names, problem };
}
