/**
 * The README's Configuration table documents src/config.ts's VARIABLES: every variable the server
 * reads has a row, every row names a variable it reads, and each embedded default is the one stated.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VARIABLES } from '../../src/config.js';

interface Row {
  names: string[];
  /** The backquoted values of the default cell, in order (`15000` / `1000` for a pair). */
  defaults: string[];
}

function configurationRows(readme: string): Row[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Configuration\n'));
  if (!section) throw new Error('README has no "## Configuration" section');
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [names = '', , defaults = ''] = line
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim());
      return {
        names: [...names.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!),
        defaults: [...defaults.matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
      };
    });
}

const rows = configurationRows(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'));
const documented = rows.flatMap((r) => r.names);
const specs: Record<string, { default: string | undefined }> = VARIABLES;

describe('README configuration table', () => {
  it('has a row for every variable, and no row for one the server does not read', () => {
    expect([...documented].sort()).toEqual(Object.keys(VARIABLES).sort());
  });

  it('states each embedded default', () => {
    for (const { names, defaults } of rows) {
      names.forEach((name, i) => {
        const embedded = specs[name]?.default;
        if (embedded !== undefined) expect({ name, default: defaults[i] }).toEqual({ name, default: embedded });
      });
    }
  });
});
