/** The human output of doctor: one table row per account, then what to fix per failing account. */
import type { FoundCommand } from './commands.js';
import type { AccountReport, CheckName, CheckOutcome, DoctorReport } from './types.js';

const MAX_CELL = 40;

const COLUMNS: { title: string; cell: (a: AccountReport) => string }[] = [
  { title: 'channel', cell: (a) => a.channel },
  { title: 'label', cell: (a) => a.label ?? '' },
  { title: 'proxy', cell: (a) => cell(a.checks.proxy) },
  { title: 'user', cell: (a) => cell(a.checks.token) },
  { title: 'guild/channel', cell: (a) => `${cell(a.checks.guild)} / ${cell(a.checks.channel)}` },
  { title: 'commands', cell: (a) => cell(a.checks.commands) },
  { title: 'gateway', cell: (a) => cell(a.checks.gateway) },
  { title: 'upload slot', cell: (a) => cell(a.checks.upload) },
  { title: 'verdict', cell: (a) => a.verdict.toUpperCase() },
];

function cell(outcome: CheckOutcome | undefined): string {
  if (!outcome) return '';
  if (outcome.status === 'pass') return outcome.summary;
  if (outcome.status === 'skip') return 'skipped';
  return `FAIL ${outcome.summary}`;
}

const clip = (text: string): string => (text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text);

export function formatTable(accounts: readonly AccountReport[]): string {
  const rows = [COLUMNS.map((c) => c.title), ...accounts.map((a) => COLUMNS.map((c) => clip(c.cell(a))))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((text, i) => text.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(rows[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const CHECK_TITLES: Record<CheckName, string> = {
  proxy: 'proxy',
  token: 'token',
  guild: 'guild',
  channel: 'channel',
  commands: 'commands',
  gateway: 'gateway',
  upload: 'upload slot',
};

/** Per failing account: each failed check and its fix. */
export function formatFixes(accounts: readonly AccountReport[]): string {
  return accounts
    .filter((a) => a.verdict === 'fail')
    .map((a) => {
      const fixes = Object.entries(a.checks).flatMap(([name, o]) =>
        o.status === 'fail' ? [`  - ${CHECK_TITLES[name as CheckName]}: ${o.fix ?? o.summary}`] : [],
      );
      return [`channel ${a.channel}${a.label ? ` (${a.label})` : ''}:`, ...fixes].join('\n');
    })
    .join('\n');
}

/** InsightFaceSwap's commands as each checked guild's index lists them (ids, versions, options), once per guild. */
export function formatCommands(accounts: readonly AccountReport[]): string {
  const guilds = new Map<string, { channels: string[]; commands: FoundCommand[] }>();
  for (const a of accounts) {
    const found = a.checks.commands?.details?.commands as FoundCommand[] | undefined;
    if (!found?.length) continue;
    const guild = guilds.get(a.server) ?? { channels: [], commands: found };
    guild.channels.push(a.channel);
    guilds.set(a.server, guild);
  }
  return [...guilds]
    .flatMap(([server, { channels, commands }]) => [
      `guild ${server} (channel${channels.length === 1 ? '' : 's'} ${channels.join(', ')}):`,
      ...commands.map((c) => `  ${`/${c.name}`.padEnd(8)}  id ${c.id}  version ${c.version}  options: ${c.options.join(', ') || '(none)'}`),
    ])
    .join('\n');
}

export function formatReport(report: DoctorReport): string {
  const header = report.simulator
    ? "DISCORD_ACCOUNTS is unset: checking the built-in simulator's demo account (a simulated Discord, not the real one)."
    : `Checking ${report.accounts.length} account${report.accounts.length === 1 ? '' : 's'} against ${report.apiUrl}.`;
  const commands = formatCommands(report.accounts);
  const fixes = formatFixes(report.accounts);
  const verdict = report.ok
    ? 'All accounts passed.'
    : `${report.accounts.filter((a) => a.verdict === 'fail').length} of ${report.accounts.length} accounts failed.`;
  return [
    header,
    '',
    formatTable(report.accounts),
    ...(commands ? ['', 'InsightFaceSwap commands:', commands] : []),
    ...(fixes ? ['', 'What to fix:', fixes] : []),
    '',
    verdict,
    '',
  ].join('\n');
}
