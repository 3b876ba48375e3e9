import { describe, expect, it } from 'vitest';
import { parsePicsiOptions } from '../../src/jobs/options.js';

describe('parsePicsiOptions', () => {
  it.each([
    [null, null],
    ['   ', null],
    ['-m', '-m'],
    ['  -m   --shut  ', '-m --shut'],
    ['-o 500 -y 1 -e 1000', '-o 500 -y 1 -e 1000'],
    ['--oldify', '--oldify'],
    ['-m --ch --hl -f -s -a -x', '-m --ch --hl -f -s -a -x'],
  ])('accepts %j', (input, normalized) => {
    expect(parsePicsiOptions(input)).toEqual({ ok: true, normalized });
  });

  it.each([
    ['-z', /unknown option "-z"; known options: -m, --shut/],
    ['-o 0', /"-o" value must be an integer from 1 to 1000 \(got 0\)/],
    ['-y 1001', /"-y" value must be an integer from 1 to 1000/],
    ['-m 5', /"-m" takes no value/],
    ['-m -m', /given twice/],
    ['-o 300 --oldify', /given twice/],
    ['x'.repeat(201), /at most 200 characters/],
  ])('refuses %j', (input, message) => {
    const result = parsePicsiOptions(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });
});
