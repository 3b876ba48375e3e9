// `npm run schema:compat`: GraphQL Inspector's diff of the printed schema (schema/schema.graphql)
// against the last released one (schema/released.graphql). Lists every change by criticality and
// fails on a breaking one: a break lands only with schema/released.graphql updated in the same
// commit (`npm run schema:release`) and the break listed in CHANGELOG.md, so it is never unnoticed.
import { readFileSync } from 'node:fs';
import { CriticalityLevel, diff, DiffRule } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

const RELEASED = 'schema/released.graphql';
const CURRENT = 'schema/schema.graphql';

const LEVELS = [
  { level: CriticalityLevel.Breaking, label: 'breaking' },
  { level: CriticalityLevel.Dangerous, label: 'dangerous' },
  { level: CriticalityLevel.NonBreaking, label: 'safe' },
];

const load = (path) => buildSchema(readFileSync(path, 'utf8'));
// Descriptions never break a client: left out of the list, which stays readable.
const changes = await diff(load(RELEASED), load(CURRENT), [DiffRule.ignoreDescriptionChanges]);

for (const { level, label } of LEVELS) {
  for (const change of changes.filter((c) => c.criticality.level === level)) {
    const reason = change.criticality.reason ? ` (${change.criticality.reason})` : '';
    console.log(`${label.padEnd(9)} ${change.message}${reason}`);
  }
}

const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking).length;
if (breaking > 0) {
  console.error(
    `schema:compat: ${breaking} breaking change(s) against ${RELEASED}. If the break is intended, run ` +
      `'npm run schema:release' and list it under "Breaking" in CHANGELOG.md, in the same commit.`,
  );
  process.exit(1);
}
console.log(
  changes.length === 0 ? `schema:compat: ${CURRENT} is ${RELEASED}` : `schema:compat: ${changes.length} change(s), none breaking`,
);
