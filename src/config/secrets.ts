/** Keys for data at rest. */
import { z } from 'zod';
import type { Parsed } from './variables.js';

export const SECRET_VARIABLES = {
  /** Seals the account records (Discord tokens, proxy credentials) the embedded store journals under DATA_DIR. */
  ACCOUNTS_ENCRYPTION_KEY: { schema: z.string().min(32, 'must be at least 32 characters'), default: undefined, secret: true },
} as const;

export interface SecretsConfig {
  /** null: account records are journaled readable (to the owner only: DATA_DIR/jobs is 0700). */
  accountsEncryptionKey: string | null;
}

export const secretsConfigOf = (p: Parsed<typeof SECRET_VARIABLES>): SecretsConfig => ({
  accountsEncryptionKey: p.ACCOUNTS_ENCRYPTION_KEY ?? null,
});
