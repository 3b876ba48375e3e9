/** Shared by the account tests: the accounts query, jobs run and read through GraphQL, a wait on a condition. */
import { postJson, postMultipart, picsiFiles } from '../helpers/graphql-http.js';

export const ACCOUNT_FIELDS = /* GraphQL */ `
  channel
  label
  managed
  enabled
  disabledReason
  proxy
  foreignCommand
  busy
  health {
    state
    reason
    message
    evidence
    since
    until
  }
  pacing {
    minGapMs
    jitterMs
    dailyCommands
    activeHours
    timezone
    nextCommandAt
  }
`;

export interface AccountRead {
  channel: string;
  label: string | null;
  managed: 'CONFIG' | 'API';
  enabled: boolean;
  disabledReason: string | null;
  proxy: string | null;
  foreignCommand: boolean;
  busy: boolean;
  health: { state: string; reason: string | null; message: string | null; evidence: string | null; since: string; until: string | null };
  pacing: {
    minGapMs: number;
    jitterMs: number;
    dailyCommands: number | null;
    activeHours: string | null;
    timezone: string;
    nextCommandAt: string | null;
  };
}

export async function accounts(url: string, token?: string): Promise<AccountRead[]> {
  const res = await postJson<{ accounts: AccountRead[] }>(url, `{ accounts { ${ACCOUNT_FIELDS} } }`, {}, token);
  if (!res.body.data) throw new Error(`accounts failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.accounts;
}

export async function account(url: string, channel: string, token?: string): Promise<AccountRead> {
  const found = (await accounts(url, token)).find((a) => a.channel === channel);
  if (!found) throw new Error(`no account ${channel}`);
  return found;
}

export interface JobRead {
  id: string;
  status: string;
  channel: string | null;
  code: string | null;
  error: string | null;
  errorDetails: string | null;
  queuePosition: number | null;
  estimatedStartAt: string | null;
}

const JOB_FIELDS = 'id status channel code error errorDetails queuePosition estimatedStartAt';

/** A picsi of `png` onto itself; `wait` blocks until it ends (WAIT_TIMEOUT_MS). */
export async function picsi(url: string, png: Buffer, options: { channel?: string; wait?: boolean } = {}) {
  return postMultipart<{ picsi: JobRead }>(
    url,
    `mutation ($input: PicsiInput!) { picsi(input: $input) { ${JOB_FIELDS} } }`,
    {
      input: {
        sourceImage: null,
        targetImage: null,
        ...(options.wait ? { wait: true } : {}),
        ...(options.channel ? { channel: options.channel } : {}),
      },
    },
    picsiFiles(png),
  );
}

/** A job that was accepted, waited for to its end. */
export async function runPicsi(url: string, png: Buffer, channel?: string): Promise<JobRead> {
  const res = await picsi(url, png, { wait: true, ...(channel ? { channel } : {}) });
  if (!res.body.data?.picsi) throw new Error(`picsi refused: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.picsi;
}

export async function readJob(url: string, id: string): Promise<JobRead> {
  const res = await postJson<{ job: JobRead }>(url, `query ($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id });
  if (!res.body.data?.job) throw new Error(`job ${id}: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.job;
}

/** Re-checks `condition` every 50 ms until it holds (a state another process reaches), at most `timeoutMs`. */
export async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const mutate = <T = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}) =>
  postJson<T>(url, query, variables);
