import type { RESTErrorFieldInformation } from 'discord-api-types/v10';
import type { z } from 'zod';
import type { FormErrors, HttpResponse } from './responses.js';
import { invalidFormBody } from './responses.js';

export type Validated<T> = { ok: true; value: T } | { ok: false; response: HttpResponse };

/** Parses with zod; failures become one 50035 whose `errors` nest like Discord's (codes inferred). */
export function validate<T>(schema: z.ZodType<T>, value: unknown): Validated<T> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors: FormErrors = {};
  for (const issue of parsed.error.issues) {
    addError(errors, issue.path.map(String), { code: discordCode(issue), message: issue.message });
  }
  return { ok: false, response: invalidFormBody(errors) };
}

function discordCode(issue: z.core.$ZodIssue): string {
  const missing = !('input' in issue) || issue.input === undefined;
  if (issue.code === 'invalid_type') return missing ? 'BASE_TYPE_REQUIRED' : `BASE_TYPE_BAD_${issue.expected.toUpperCase()}`;
  if (issue.code === 'too_big') return 'BASE_TYPE_MAX_LENGTH';
  if (issue.code === 'too_small') return 'BASE_TYPE_MIN_LENGTH';
  if (issue.code === 'invalid_value') return 'BASE_TYPE_CHOICES';
  return 'BASE_TYPE_INVALID';
}

/** Adds `leaf` under `path`, merging with errors already there. */
export function addError(root: FormErrors, path: readonly string[], leaf: RESTErrorFieldInformation): void {
  let node = root;
  for (const key of path) {
    const next = node[key];
    if (next !== undefined && !Array.isArray(next)) {
      node = next;
    } else {
      const created: FormErrors = {};
      node[key] = created;
      node = created;
    }
  }
  node._errors = [...(node._errors ?? []), leaf];
}
