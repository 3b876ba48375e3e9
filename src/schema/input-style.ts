/**
 * One mutation style: every mutation takes one `input:` object. The mutations that took loose
 * arguments before (cancelJob, listIds, deleteAllIds, deleteAccount, pauseAccount, resumeAccount)
 * keep them, deprecated, until a later release (CHANGELOG.md); a request gives one form or the other.
 * A deprecated argument must be nullable (the GraphQL spec), so `input` is nullable while they last.
 */
import { AppError } from '../errors.js';

export const USE_INPUT = 'Use `input`: this argument goes in a later release (CHANGELOG.md).';

/** The description of an `input` argument that stands beside deprecated loose arguments. */
export const inputDescription = (what: string, required: boolean) =>
  `${what}${required ? ' Required, unless the deprecated arguments are given instead.' : ''}`;

type Loose<T> = { [K in keyof T]?: T[K] | null };

/**
 * The input of a mutation that also takes its fields as deprecated loose arguments: `input` when
 * given, else the loose arguments (nulls dropped). Both at once, or a `required` field in neither,
 * is a BAD_USER_INPUT naming the mutation.
 */
export function inputOrArguments<T extends object>(
  mutation: string,
  input: T | null | undefined,
  loose: Loose<T>,
  required: readonly (keyof T & string)[] = [],
): T {
  const given = Object.entries(loose).filter(([, value]) => value != null);
  if (input != null && given.length > 0)
    throw new AppError(
      'BAD_USER_INPUT',
      `${mutation} takes input or its deprecated arguments, not both: move ${given.map(([key]) => key).join(', ')} into input`,
    );
  if (input != null) return input;
  const missing = required.filter((key) => loose[key] == null);
  if (missing.length > 0) throw new AppError('BAD_USER_INPUT', `${mutation} needs input: { ${missing.join(', ')} }`, { field: 'input' });
  // Every required field is present, and the others are optional in T: the loose arguments are a T.
  return Object.fromEntries(given) as T;
}
