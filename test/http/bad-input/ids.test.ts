/** Every audit of the corpus has a unique id of its group's form, a level, and a unique name. */
import { describe, expect, it } from 'vitest';
import { DATA_DIR_AUDITS } from './cases/data-dir.js';
import { LIMIT_AUDITS } from './cases/limits.js';
import { OPEN_MODE_AUDITS } from './cases/open-mode.js';
import { REQUEST_AUDITS } from './cases/requests.js';

const ALL = [...REQUEST_AUDITS, ...OPEN_MODE_AUDITS, ...LIMIT_AUDITS, ...DATA_DIR_AUDITS];

describe('the bad-input corpus', () => {
  it('has unique ids of the form XX-nn and unique names', () => {
    const ids = ALL.map((a) => a.id);
    expect(ids.filter((id) => !/^[A-Z]{2}-\d{2}$/.test(id))).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    const names = ALL.map((a) => `${a.group} ${a.name}`);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('gives every case a level, and one prefix per group', () => {
    expect(ALL.filter((a) => a.level !== 'MUST' && a.level !== 'SHOULD').map((a) => a.id)).toEqual([]);
    const groupsOf = new Map<string, Set<string>>();
    for (const { id, group } of ALL) groupsOf.set(id.slice(0, 2), (groupsOf.get(id.slice(0, 2)) ?? new Set()).add(group));
    expect([...groupsOf].filter(([, groups]) => groups.size > 1)).toEqual([]);
    console.log(`bad-input corpus: ${ALL.length} audits (${ALL.filter((a) => a.level === 'MUST').length} MUST) in ${groupsOf.size} groups`);
  });
});
