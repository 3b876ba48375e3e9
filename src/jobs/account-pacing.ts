/**
 * Account pacing and proxy settings: their rules (checked the same way for DISCORD_ACCOUNTS at
 * start and for upsertAccount), the account's effective pacing over the ACCOUNT_* globals, and the
 * clock arithmetic of active hours and the daily cap's day in the account's time zone (Intl, no
 * time-zone database of our own). The README's "Accounts in the field" explains the defaults.
 */
import type { AccountPacing, DiscordAccount } from './account.js';

/** The ACCOUNT_* globals. */
export interface PacingDefaults {
  minGapMs: number;
  jitterMs: number;
  dailyCommands: number | null;
  activeHours: string | null;
  timezone: string;
}

/** One account's pacing, every field decided. */
export interface Pacing {
  minGapMs: number;
  jitterMs: number;
  dailyCommands: number | null;
  activeHours: ActiveHours | null;
  timezone: string;
}

/** Minutes after local midnight; `end` may be before `start` (the window wraps midnight). */
export interface ActiveHours {
  start: number;
  end: number;
}

/** The most a gap or jitter may be: a day. */
export const MAX_GAP_MS = 86_400_000;
const HOURS = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
export const PROXY_PROTOCOLS = ['http:', 'https:', 'socks5:'] as const;

export function parseActiveHours(value: string): ActiveHours | null {
  const m = HOURS.exec(value);
  if (!m) return null;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  return start === end ? null : { start, end };
}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Problems of one setting, as `field: message`; the caller names the variable or the account. */
export const PACING_RULES: Record<keyof AccountPacing, (value: unknown) => string | null> = {
  minGapMs: (v) => (isGap(v) ? null : `must be a whole number of milliseconds from 0 to ${MAX_GAP_MS}`),
  jitterMs: (v) => (isGap(v) ? null : `must be a whole number of milliseconds from 0 to ${MAX_GAP_MS}`),
  dailyCommands: (v) => (v === null || (Number.isInteger(v) && (v as number) >= 1) ? null : 'must be a whole number of at least 1'),
  activeHours: (v) =>
    v === null || (typeof v === 'string' && parseActiveHours(v)) ? null : 'must be HH:MM-HH:MM (24-hour clock, start ≠ end)',
  timezone: (v) => (typeof v === 'string' && isTimeZone(v) ? null : 'must be an IANA time zone such as Europe/Paris'),
};

function isGap(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_GAP_MS;
}

/** `http://`, `https://` or `socks5://` with a host and port, nothing after the authority. */
export function proxyProblem(value: string): string | null {
  if (!URL.canParse(value)) return 'must be a URL such as http://user:pass@host:port';
  const url = new URL(value);
  if (!(PROXY_PROTOCOLS as readonly string[]).includes(url.protocol)) return 'must start with http://, https:// or socks5://';
  if (!url.hostname) return 'must name a host';
  if (url.pathname !== '/' && url.pathname !== '') return 'must not have a path';
  if (url.search || url.hash) return 'must not have a query or fragment';
  return null;
}

/** Every problem of an account's pacing and proxy fields, as `field: message`. */
export function accountSettingProblems(account: AccountPacing & Pick<DiscordAccount, 'proxy'>): string[] {
  const problems: string[] = [];
  for (const [field, rule] of Object.entries(PACING_RULES) as [keyof AccountPacing, (v: unknown) => string | null][]) {
    const value = account[field];
    if (value === undefined) continue;
    const problem = rule(value);
    if (problem) problems.push(`${field} ${problem}`);
  }
  if (account.proxy !== undefined) {
    const problem = proxyProblem(account.proxy);
    if (problem) problems.push(`proxy ${problem}`);
  }
  return problems;
}

export function pacingOf(account: AccountPacing, defaults: PacingDefaults): Pacing {
  const hours = account.activeHours === undefined ? defaults.activeHours : account.activeHours;
  return {
    minGapMs: account.minGapMs ?? defaults.minGapMs,
    jitterMs: account.jitterMs ?? defaults.jitterMs,
    dailyCommands: account.dailyCommands === undefined ? defaults.dailyCommands : account.dailyCommands,
    activeHours: hours === null ? null : parseActiveHours(hours),
    timezone: account.timezone ?? defaults.timezone,
  };
}

/** True when nothing slows the account down: no gap, no jitter, no cap, no window. */
export const isUnpaced = (p: Pacing) => p.minGapMs === 0 && p.jitterMs === 0 && p.dailyCommands === null && p.activeHours === null;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local date and time of `nowMs` in `timeZone`. */
export function localTime(nowMs: number, timeZone: string): { day: string; msOfDay: number } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(nowMs)
      .map((p) => [p.type, p.value]),
  );
  const msOfDay = ((Number(parts['hour']) * 60 + Number(parts['minute'])) * 60 + Number(parts['second'])) * 1000 + (nowMs % 1000);
  return { day: `${parts['year']}-${parts['month']}-${parts['day']}`, msOfDay };
}

const DAY_MS = 86_400_000;

/** How long until the window opens; 0 while it is open. */
export function closedForMs(hours: ActiveHours | null, msOfDay: number): number {
  if (hours === null) return 0;
  const start = hours.start * 60_000;
  const end = hours.end * 60_000;
  const open = start < end ? msOfDay >= start && msOfDay < end : msOfDay >= start || msOfDay < end;
  if (open) return 0;
  return (start - msOfDay + DAY_MS) % DAY_MS;
}

/** The time a command may start after one that ended at `endedAt`: the gap plus a jitter drawn from `random`. */
export function nextCommandAt(pacing: Pick<Pacing, 'minGapMs' | 'jitterMs'>, endedAt: number, random: () => number): number {
  return endedAt + pacing.minGapMs + Math.floor(random() * (pacing.jitterMs + 1));
}

/** The gate of a claim (src/executor/store/eligibility.ts) for an account with this pacing at `nowMs`. */
export function gateOf(pacing: Pacing, nowMs: number) {
  const { day, msOfDay } = localTime(nowMs, pacing.timezone);
  return {
    commandDay: day,
    dailyCommands: pacing.dailyCommands,
    dayEndsInMs: DAY_MS - msOfDay,
    closedForMs: closedForMs(pacing.activeHours, msOfDay),
  };
}

/** A proxy URL fit for logs and the API: its password replaced by `***`. */
export function maskProxy(value: string): string {
  if (!URL.canParse(value)) return '(invalid proxy URL)';
  const url = new URL(value);
  if (url.password) url.password = '***';
  return `${url.protocol}//${url.username ? `${url.username}${url.password ? ':***' : ''}@` : ''}${url.host}`;
}
