/**
 * The bad-input corpus as data, like graphql-http's audits: every case has an id (stable: a
 * failing case is named by it), a level (MUST: the behaviour is required; SHOULD: recommended, or
 * allowed by a spec that leaves a choice) and the outcome it expects. The suites in this folder run
 * the tables against a real server; ids.test.ts checks the ids across them.
 */
import { expect } from 'vitest';

export type Level = 'MUST' | 'SHOULD';

/** What one case observed: an HTTP status (null: no response) or a websocket close code. */
export interface Outcome {
  status?: number | null;
  close?: number;
  code?: unknown;
  message?: string;
  field?: unknown;
  /** The raw response text, checked for leaked internals. */
  text?: string;
  /** For cases that must be accepted: the created job's status. */
  jobStatus?: string;
  /** Response headers a case checks (lower-case names). */
  headers?: Record<string, string>;
}

export interface Expected {
  status?: number | null;
  close?: number;
  code?: string | null;
  message?: string | RegExp;
  field?: string;
  jobStatus?: RegExp;
  headers?: Record<string, string | RegExp>;
}

export interface Audit {
  /** `<group prefix>-<nn>`, never reused for another case. */
  id: string;
  level: Level;
  group: string;
  name: string;
  run: () => Promise<Outcome>;
  expect: Expected;
}

/** A stack trace, a source path or an internal object in a response. */
export const LEAK = /\n\s+at |node_modules|\/src\/|\.ts:\d+|_resolve|createReadStream|"stack"/;

const matcher = (value: string | RegExp) => (typeof value === 'string' ? value : expect.stringMatching(value));

/** Compares what a case observed with what it expects: only the fields it states. */
export function expectOutcome(audit: Audit, outcome: Outcome): void {
  const { text, ...shown } = outcome;
  const wanted = audit.expect;
  const pick = <K extends keyof Expected & keyof Outcome>(key: K) =>
    wanted[key] !== undefined || key in wanted ? { [key]: outcome[key] } : {};
  const actual = {
    ...pick('status'),
    ...pick('close'),
    ...pick('code'),
    ...(wanted.message !== undefined ? { message: outcome.message } : {}),
    ...(wanted.field !== undefined ? { field: outcome.field } : {}),
    ...(wanted.jobStatus !== undefined ? { jobStatus: outcome.jobStatus } : {}),
    ...(wanted.headers ? { headers: Object.fromEntries(Object.keys(wanted.headers).map((h) => [h, outcome.headers?.[h]])) } : {}),
  };
  expect(actual, `${audit.id} ${JSON.stringify(shown)}`).toEqual({
    ...('status' in wanted ? { status: wanted.status } : {}),
    ...('close' in wanted ? { close: wanted.close } : {}),
    ...('code' in wanted ? { code: wanted.code } : {}),
    ...(wanted.message !== undefined ? { message: matcher(wanted.message) } : {}),
    ...(wanted.field !== undefined ? { field: wanted.field } : {}),
    ...(wanted.jobStatus !== undefined ? { jobStatus: expect.stringMatching(wanted.jobStatus) } : {}),
    ...(wanted.headers ? { headers: Object.fromEntries(Object.entries(wanted.headers).map(([h, v]) => [h, matcher(v)])) } : {}),
  });
  expect(outcome.status ?? 0, audit.id).toBeLessThan(500);
  expect(text ?? '', `${audit.id}: a response leaks internals`).not.toMatch(LEAK);
}
