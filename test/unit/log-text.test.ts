/** The text log format (LOG_FORMAT=text, the default on a terminal): one short line a record, tokens still redacted. */
import { describe, expect, it } from 'vitest';
import { textLine, textStream } from '../../src/logger.js';
import pino from 'pino';

const at = new Date(2026, 0, 2, 14, 3, 7).getTime();

describe('text log lines', () => {
  it('time, level, component and message, then the short fields not already in the message', () => {
    const line = textLine({
      level: 40,
      time: at,
      service: 'picsi-graphql',
      component: 'executor',
      msg: 'job 42 failed',
      jobId: '42',
      attempts: 3,
      note: 'two words',
      defaults: { HOST: '0.0.0.0' },
      long: 'x'.repeat(41),
    });
    expect(line).toBe('14:03:07 WARN  executor: job 42 failed attempts=3 note="two words"');
  });

  it('an error: its message on a warning, its stack at error level', () => {
    const err = { message: 'boom', stack: 'Error: boom\n    at here' };
    expect(textLine({ level: 40, time: at, msg: 'retrying', err })).toBe('14:03:07 WARN  retrying (boom)');
    expect(textLine({ level: 50, time: at, msg: 'failed', err })).toBe('14:03:07 ERROR failed\n  Error: boom\n      at here');
  });

  it('colours warnings on a terminal only', () => {
    expect(textLine({ level: 40, time: at, msg: 'm' }, true)).toContain('\x1b[33mWARN \x1b[0m');
    expect(textLine({ level: 30, time: at, msg: 'm' }, true)).toBe('14:03:07 INFO  m');
  });

  it('redacts tokens as the JSON format does', () => {
    const lines: string[] = [];
    const logger = pino({ redact: { paths: ['token'], censor: '[redacted]' } }, textStream({ write: (s) => lines.push(s) }));
    logger.info({ token: 'secret-token' }, 'saved');
    expect(lines.join('')).not.toContain('secret-token');
  });
});
