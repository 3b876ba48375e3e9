import { describe, expect, it } from 'vitest';
import { optionsAreValid } from '../../src/simulator/bot/option-check.js';

describe('simulated bot option check', () => {
  it.each([undefined, '', '-m', '--shut --ch --hl', '-o', '-o 300', '--oldify 1000 -m', '-e 1 -y 1000 -a -x -f -s'])(
    'accepts %j',
    (text) => {
      expect(optionsAreValid(text)).toBe(true);
    },
  );

  it.each(['-z', 'hello', '-o 0', '-o 1001', '-m -e -5', '--oldify 300 300'])('rejects %j', (text) => {
    expect(optionsAreValid(text)).toBe(false);
  });
});
