import pino, { type Bindings, type ChildLoggerOptions, type Logger } from 'pino';
import type { Config } from './config.js';

/**
 * JSON logs; pretty-printed when stdout is a terminal. Tokens are redacted wherever they appear.
 * A child's bindings replace its parent's of the same name instead of repeating the key (pino
 * appends them: `"component":"discord","component":"gateway"`); nested components read
 * `discord/gateway`.
 */
export function createLogger(level: Config['logLevel'], options: { pretty?: boolean } = {}): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  const root = pino({
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
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } }
      : {}),
  });
  return withMergedChildBindings(root);
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
