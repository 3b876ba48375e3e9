/** Log lines: child bindings never repeat a key; the error policy sends client errors to info/warn without a stack. */
import { Writable } from 'node:stream';
import { GraphQLError } from 'graphql';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { logError, yogaLogger } from '../../src/http/error-log.js';
import { withMergedChildBindings } from '../../src/logger.js';
import { topLevelKeys } from '../helpers/log-lines.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = withMergedChildBindings(pino({ base: { service: 'test' } }, stream));
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  it('a child replaces its parent’s bindings of the same name; components nest as a path', () => {
    const { logger, lines, records } = capture();
    logger
      .child({ component: 'discord' })
      .child({ component: 'discord' })
      .child({ account: 'abc' })
      .child({ component: 'gateway', account: 'def' })
      .info('x');
    const keys = topLevelKeys(lines[0]!);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    expect(records()[0]).toMatchObject({ service: 'test', component: 'discord/gateway', account: 'def', msg: 'x' });
  });

  it('a child keeps its parent’s level', () => {
    const { logger, records } = capture();
    const quiet = logger.child({ a: 1 });
    quiet.level = 'warn';
    quiet.child({ b: 2 }).info('hidden');
    quiet.child({ b: 2 }).warn('shown');
    expect(records().map((r) => r['msg'])).toEqual(['shown']);
  });
});

describe('error log policy', () => {
  it('client errors: info (warn for a busy or exhausted service), one line, no stack', () => {
    const { logger, records } = capture();
    logError(logger, new GraphQLError('Job x not found', { path: ['job'], originalError: new AppError('NOT_FOUND', 'Job x not found') }));
    logError(logger, new GraphQLError('busy', { originalError: new AppError('CHANNEL_BUSY', 'busy') }));
    logError(logger, new GraphQLError('Cannot query field "x"'));
    expect(records().map((r) => [r['level'], r['code'], r['err']])).toEqual([
      [30, 'NOT_FOUND', undefined],
      [40, 'CHANNEL_BUSY', undefined],
      [30, 'GRAPHQL_VALIDATION_FAILED', undefined],
    ]);
    expect(JSON.stringify(records())).not.toMatch(/stack|\.ts:\d+/);
  });

  it('a server fault: error, with its stack, once even when Yoga reports it twice', () => {
    const { logger, records } = capture();
    const fault = new GraphQLError('Unexpected error.', { originalError: new TypeError('cannot read x of undefined') });
    const yoga = yogaLogger(logger);
    yoga.error(fault);
    yoga.error(fault);
    expect(records()).toHaveLength(1);
    expect(records()[0]).toMatchObject({ level: 50, err: { stack: expect.stringContaining('TypeError: cannot read x of undefined') } });
  });
});
