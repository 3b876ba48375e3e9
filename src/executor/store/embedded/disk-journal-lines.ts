/**
 * The lines of the embedded store's journal (./disk-journal.ts), one JSON value each, and the check each
 * line passes at replay: a line that is not one of these shapes (a torn write, a hand edit, a
 * disk fault) is skipped and counted instead of stopping the start with a TypeError.
 *
 * Account records (Discord tokens, and whatever else an account holds: proxy credentials…) are
 * written as `sealedAccount` when ACCOUNTS_ENCRYPTION_KEY is set: the whole record, AES-256-GCM
 * with a key derived from it, so no field of it is readable on disk, whatever fields it has.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { JOB_STATUSES, type Job } from '../../../jobs/model.js';
import type { AccountRecord } from '../port.js';

export type Line =
  | { job: Job; seq?: number; exp?: number | null }
  | { gone: string }
  | { account: AccountRecord }
  | { sealedAccount: string }
  | { noAccount: string }
  | { credits: string; n: number }
  | { task: string; value: unknown };

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const optionalNumber = (value: unknown) => value === undefined || value === null || typeof value === 'number';

const isJob = (job: unknown): boolean =>
  isObject(job) &&
  isString(job['id']) &&
  isString(job['owner']) &&
  isString(job['created']) &&
  (JOB_STATUSES as readonly unknown[]).includes(job['status']) &&
  (job['channel'] === null || isString(job['channel'])) &&
  (job['requestedChannel'] === null || isString(job['requestedChannel']));

/** Each kind of line: the key that names it, and what its fields must be. */
const LINE_SHAPES: readonly { key: string; valid: (line: Fields) => boolean }[] = [
  { key: 'job', valid: (l) => isJob(l['job']) && optionalNumber(l['seq']) && optionalNumber(l['exp']) },
  { key: 'gone', valid: (l) => isString(l['gone']) },
  { key: 'account', valid: (l) => isObject(l['account']) && isString(l['account']['channel']) },
  { key: 'sealedAccount', valid: (l) => isString(l['sealedAccount']) },
  { key: 'noAccount', valid: (l) => isString(l['noAccount']) },
  { key: 'credits', valid: (l) => isString(l['credits']) && typeof l['n'] === 'number' },
  { key: 'task', valid: (l) => isString(l['task']) && 'value' in l },
];

/** The line, or null when it is not JSON or not one of the shapes above. */
export function parseLine(raw: string): Line | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  const shape = LINE_SHAPES.find((s) => s.key in value);
  return shape && shape.valid(value) ? (value as Line) : null;
}

const SEAL_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealedAccountError extends Error {
  override readonly name = 'SealedAccountError';
}

/** Seals and opens account records with a key derived from ACCOUNTS_ENCRYPTION_KEY. */
export interface AccountSealer {
  seal(account: AccountRecord): string;
  open(sealed: string): AccountRecord;
}

export function accountSealer(secret: string): AccountSealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'picsi-graphql', 'journal account records', 32));
  return {
    seal(account) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(account), 'utf8'), cipher.final()]);
      return `${SEAL_VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      const [version, payload = ''] = sealed.split('.', 2);
      if (version !== SEAL_VERSION) throw new SealedAccountError(`unknown sealed account format ${JSON.stringify(version)}`);
      const bytes = Buffer.from(payload, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        const text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
        return JSON.parse(text) as AccountRecord;
      } catch (error) {
        throw new SealedAccountError('an account record in the journal does not open with ACCOUNTS_ENCRYPTION_KEY', { cause: error });
      }
    },
  };
}
