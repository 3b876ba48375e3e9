/** The data directory audits (./cases/data-dir.ts, DD-nn): each sets up its own DATA_DIR and processes. */
import { describe, it } from 'vitest';
import { expectOutcome } from './audit.js';
import { DATA_DIR_AUDITS } from './cases/data-dir.js';

describe('bad-input corpus: the data directory', () => {
  for (const audit of DATA_DIR_AUDITS) {
    it(`${audit.id} ${audit.level} [${audit.group}] ${audit.name}`, async () => expectOutcome(audit, await audit.run()), 60_000);
  }
});
