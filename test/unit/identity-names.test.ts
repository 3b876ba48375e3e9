import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { MAX_SAVED_IDS, parseIdName, parseSaveIdName, parseSetId, parseSwapIdNames, requireSaved } from '../../src/jobs/identity-names.js';

/** Runs `fn`, expecting a BAD_USER_INPUT on field idname; returns its message. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'idname' } });
    return (err as AppError).message;
  }
  throw new Error('expected a refusal');
}

const twenty = Array.from({ length: MAX_SAVED_IDS }, (_, i) => `id${i + 1}`);

describe('parseIdName', () => {
  it.each([
    ['alice', 'alice'],
    ['  Bob7 ', 'Bob7'],
    ['A1234567890'.slice(0, 10), 'A123456789'],
    ['0', '0'],
  ])('accepts %j', (input, name) => {
    expect(parseIdName(input)).toBe(name);
  });

  it.each([
    [undefined, /^idname is required$/],
    ['   ', /^idname is required$/],
    ['al ice', /^idname "al ice" may contain only letters and digits/],
    ['bob_1', /may contain only letters and digits/],
    ['émile', /may contain only letters and digits/],
    ['abcdefghijk', /^idname "abcdefghijk" is 11 characters long; at most 10 are allowed$/],
  ])('refuses %j', (input, message) => {
    expect(refusal(() => parseIdName(input))).toMatch(message);
  });
});

describe('parseSaveIdName', () => {
  it('accepts a new name below the limit, and re-saving an existing one at the limit (any case)', () => {
    expect(parseSaveIdName('alice', ['bob'])).toBe('alice');
    expect(parseSaveIdName('ID7', twenty)).toBe('ID7');
    expect(parseSaveIdName('carol')).toBe('carol');
  });

  it('refuses a 21st name with the count and the way out', () => {
    expect(refusal(() => parseSaveIdName('carol', twenty))).toBe(
      'this account already has 20 saved ids (at most 20); delete one with delid before saving "carol"',
    );
  });
});

describe('requireSaved', () => {
  it('passes a saved name (any case) or when the list is unknown', () => {
    expect(() => requireSaved('ALICE', ['alice'])).not.toThrow();
    expect(() => requireSaved('ghost', undefined)).not.toThrow();
  });

  it('names what is saved', () => {
    expect(refusal(() => requireSaved('ghost', ['alice', 'bob']))).toBe('idname "ghost" is not saved on this account (saved: alice, bob)');
    expect(refusal(() => requireSaved('ghost', []))).toBe('idname "ghost" is not saved on this account (none saved)');
  });
});

describe('parseSwapIdNames', () => {
  it.each([
    ['alice', ['alice']],
    ['alice,bob', ['alice', 'bob']],
    [' alice , bob ,alice', ['alice', 'bob', 'alice']],
  ])('accepts %j', (input, names) => {
    expect(parseSwapIdNames(input, ['alice', 'bob'])).toEqual(names);
  });

  it.each([
    ['', /^idname is required: one saved id, or several separated by commas$/],
    ['alice,,bob', /^entry 2 of idname is required$/],
    ['alice,b-b', /^entry 2 of idname "b-b" may contain only letters and digits/],
    ['alice,carol', /^idname "carol" is not saved on this account \(saved: alice, bob\)$/],
    [Array.from({ length: 21 }, () => 'alice').join(','), /^idname lists 21 ids; at most 20$/],
    ['alice+bob', /^idname "alice\+bob" may contain only letters and digits/],
  ])('refuses %j', (input, message) => {
    expect(refusal(() => parseSwapIdNames(input, ['alice', 'bob']))).toMatch(message);
  });
});

describe('parseSetId', () => {
  const saved = ['alice', 'bob', 'carol'];

  it.each([
    ['alice', { slots: [{ kind: 'ids', names: ['alice'] }], greedy: undefined, normalized: 'alice' }],
    [
      'alice,_,bob+carol --greedy',
      {
        slots: [{ kind: 'ids', names: ['alice'] }, { kind: 'skip' }, { kind: 'ids', names: ['bob', 'carol'] }],
        greedy: true,
        normalized: 'alice,_,bob+carol --greedy',
      },
    ],
    ['--nogreedy  _, bob', { slots: [{ kind: 'skip' }, { kind: 'ids', names: ['bob'] }], greedy: false, normalized: '_,bob --nogreedy' }],
  ])('accepts %j', (input, selection) => {
    expect(parseSetId(input, saved)).toEqual(selection);
  });

  it.each([
    ['', /^idname is required: saved ids separated by commas, _ to skip a face, a\+b to mix$/],
    ['--greedy', /^idname is required/],
    ['_', /^idname must name at least one saved id; _ only skips a face$/],
    ['_,_', /at least one saved id/],
    ['alice --fast', /^unknown setid flag "--fast"; known flags: --greedy, --nogreedy$/],
    ['alice --greedy --nogreedy', /^setid takes one of --greedy or --nogreedy, not --greedy and --nogreedy$/],
    ['alice,,bob', /^face 2 of idname is empty; use _ to leave a face alone$/],
    ['alice,bob+', /^face 2 of idname \(mix "bob\+"\) is required$/],
    ['alice+dave', /^idname "dave" is not saved on this account/],
    ['al-ice', /^idname "al-ice" may contain only letters and digits/],
  ])('refuses %j', (input, message) => {
    expect(refusal(() => parseSetId(input, saved))).toMatch(message);
  });

  it('without the saved list, checks syntax only', () => {
    expect(parseSetId('dave+erin').slots).toEqual([{ kind: 'ids', names: ['dave', 'erin'] }]);
  });
});
