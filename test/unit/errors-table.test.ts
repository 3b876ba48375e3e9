/**
 * The README's Errors section documents src/errors.ts's ERROR_CODES: every code is listed, with the
 * HTTP status the table gives it, so the docs cannot drift from the code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, JOB_ERROR_CODES, type ErrorCode } from '../../src/errors.js';

interface Row {
  codes: string[];
  cells: string[];
}

/** The rows of each Markdown table in the README's "## Errors" section, keyed by its header cells. */
function errorsTables(readme: string): { header: string[]; rows: Row[] }[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Errors\n'));
  if (!section) throw new Error('README has no "## Errors" section');
  const tables: { header: string[]; rows: Row[] }[] = [];
  let current: { header: string[]; rows: Row[] } | null = null;
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    const cells = line
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
    if (!current) tables.push((current = { header: cells, rows: [] }));
    else if (!cells.every((c) => /^-+$/.test(c)))
      current.rows.push({ codes: [...cells[0]!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!), cells });
  }
  return tables;
}

const tables = errorsTables(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'));
const requestTable = tables.find((t) => t.header.includes('HTTP'));
const jobTable = tables.find((t) => !t.header.includes('HTTP'));
const codesOf = (table: typeof requestTable) => (table?.rows ?? []).flatMap((r) => r.codes);

describe('README errors tables', () => {
  it('has a request table with an HTTP column and a job table', () => {
    expect(tables).toHaveLength(2);
    expect(requestTable?.header.slice(0, 2)).toEqual(['code', 'HTTP']);
    expect(jobTable?.header[0]).toBe('code');
  });

  it('lists every code once per table, and no code that does not exist', () => {
    for (const table of [requestTable, jobTable]) {
      const codes = codesOf(table);
      expect(new Set(codes).size).toBe(codes.length);
      for (const code of codes) expect(Object.keys(ERROR_CODES)).toContain(code);
    }
  });

  it('the request table holds exactly the request codes, with their HTTP status', () => {
    const requestCodes = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => ERROR_CODES[c].appearsOn !== 'job');
    expect(codesOf(requestTable).sort()).toEqual(requestCodes.sort());
    for (const row of requestTable!.rows) {
      for (const code of row.codes as ErrorCode[]) {
        const info = ERROR_CODES[code] as { httpStatus: number | null; refusesRequest?: true };
        expect({ code, http: row.cells[1] }).toEqual({
          code,
          http: info.httpStatus === null ? '—' : `${info.httpStatus}${info.refusesRequest ? '\\*' : ''}`,
        });
      }
    }
  });

  it('the job table holds exactly the codes a job may carry (the JobErrorCode enum)', () => {
    expect(codesOf(jobTable).sort()).toEqual([...JOB_ERROR_CODES].sort());
  });
});
