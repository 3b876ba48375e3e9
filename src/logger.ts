import pino, { type Bindings, type ChildLoggerOptions, type Logger } from 'pino';
import type { Config } from './config.js';

/**
 * JSON logs, or one short line a record for people (`text`: the default when stdout is a terminal,
 * see textLine). Tokens are redacted wherever they appear, in both. A child's bindings replace its
 * parent's of the same name instead of repeating the key (pino appends them:
 * `"component":"discord","component":"gateway"`); nested components read `discord/gateway`.
 */
export function createLogger(level: Config['logLevel'], options: { format?: Config['logFormat'] } = {}): Logger {
  const text = (options.format ?? (process.stdout.isTTY === true ? 'text' : 'json')) === 'text';
  const settings = {
    level,
    base: { service: 'picsi-graphql' },
    redact: {
      paths: [
        'discord',
        '*.discord',
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
  const root = text ? pino(settings, textStream(process.stdout)) : pino(settings);
  return withMergedChildBindings(root);
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31m' };
const OWN_KEYS = new Set(['level', 'time', 'service', 'msg', 'component', 'pid', 'hostname', 'err']);
/** Longer values (objects, long strings) stay in the JSON format (LOG_FORMAT=json). */
const MAX_FIELD_CHARS = 40;

/** A destination that writes each record as textLine; colours only on a terminal, unless NO_COLOR. */
export function textStream(out: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean }) {
  const colour = out.isTTY === true && !process.env['NO_COLOR'];
  return { write: (line: string) => void out.write(`${textLine(JSON.parse(line) as Record<string, unknown>, colour)}\n`) };
}

/**
 * `14:03:07 WARN  component: message key=value …`: the short fields (a number, a flag, a string of
 * at most 40 characters not already in the message); an error's message, and at error level its stack.
 */
export function textLine(record: Record<string, unknown>, colour = false): string {
  const level = Number(record['level']);
  const time = new Date(Number(record['time'])).toTimeString().slice(0, 8);
  const msg = typeof record['msg'] === 'string' ? record['msg'] : '';
  const component = typeof record['component'] === 'string' ? `${record['component']}: ` : '';
  const fields = Object.entries(record)
    .filter(([key, value]) => !OWN_KEYS.has(key) && isShort(value) && !msg.includes(String(value)))
    .map(([key, value]) => `${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : String(value)}`);
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const shown = colour && COLOURS[level] ? `${COLOURS[level]}${name}\x1b[0m` : name;
  const line = [`${time} ${shown} ${component}${msg}`, ...fields].join(' ');
  return line + errorText(record['err'], level >= 50);
}

const isShort = (value: unknown) =>
  typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && value.length <= MAX_FIELD_CHARS);

function errorText(err: unknown, withStack: boolean): string {
  if (typeof err !== 'object' || err === null) return '';
  const { message, stack } = err as { message?: unknown; stack?: unknown };
  if (withStack && typeof stack === 'string') return `\n  ${stack.split('\n').join('\n  ')}`;
  return typeof message === 'string' ? ` (${message})` : '';
}

/** Children inherit this `child` through their prototype, so every descendant merges too. */
export function withMergedChildBindings(root: Logger): Logger {
  const prototype = Object.getPrototypeOf(root) as { child: (this: Logger, bindings: Bindings, options?: ChildLoggerOptions) => Logger };
  const appendingChild = prototype.child;
  const rootBindings = root.bindings();
  function child(this: Logger, bindings: Bindings, childOptions?: ChildLoggerOptions): Logger {
    const merged: Bindings = { ...this.bindings(), ...bindings };
    const component = joinComponents(this.bindings()['component'], bindings['component']);
    if (component !== undefined) merged['component'] = component;
    for (const [key, value] of Object.entries(rootBindings)) if (merged[key] === value) delete merged[key];
    // A child of the root with every binding set once (pino appends a child's bindings to its parent's).
    const created = appendingChild.call(root, merged, childOptions);
    if (childOptions?.level === undefined) created.level = this.level;
    return created;
  }
  Object.defineProperty(root, 'child', { value: child, writable: true, configurable: true });
  return root;
}

function joinComponents(parent: unknown, own: unknown): unknown {
  if (typeof parent !== 'string' || typeof own !== 'string') return own ?? parent;
  return parent === own || parent.endsWith(`/${own}`) ? parent : `${parent}/${own}`;
}
