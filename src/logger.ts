import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

/** JSON logs; pretty-printed when stdout is a terminal. Tokens are redacted wherever they appear. */
export function createLogger(level: Config['logLevel'], options: { pretty?: boolean } = {}): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  return pino({
    level,
    base: { service: 'picsi-graphql' },
    redact: {
      paths: ['discord', '*.discord', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization'],
      censor: '[redacted]',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } } : {}),
  });
}
