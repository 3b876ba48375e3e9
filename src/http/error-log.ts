/**
 * The log policy for errors: a client's mistake (bad input, unknown job, missing token, a busy
 * channel…) is logged at info or warn as one line with its code and no stack; a fault of the
 * server is logged at error with its stack. Yoga reports every error it masks through its logger,
 * so its logger is this adapter.
 */
import { GraphQLError } from 'graphql';
import type { YogaLogger } from 'graphql-yoga';
import type { Logger } from 'pino';
import { AppError, type ErrorCode } from '../errors.js';

/** Codes a client can cause that still say something about the service's state. */
const WARN_CODES: ReadonlySet<string> = new Set<ErrorCode>(['CHANNEL_BUSY', 'PAYMENT_REQUIRED', 'SERVICE_UNAVAILABLE']);

export interface ClientError {
  code: string;
  message: string;
  path?: readonly (string | number)[];
}

/** The client error an error is (an AppError, or a GraphQL syntax/validation/variable error), or null for a fault. */
function clientErrorOf(error: unknown): ClientError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if (current instanceof AppError) return { code: current.code, message: current.message, ...pathOf(error) };
    if (current instanceof GraphQLError && !current.originalError) {
      const code = current.extensions['code'];
      if (code === 'INTERNAL_SERVER_ERROR') return null;
      return { code: typeof code === 'string' ? code : 'GRAPHQL_VALIDATION_FAILED', message: current.message, ...pathOf(error) };
    }
    current = current instanceof GraphQLError ? current.originalError : current.cause;
  }
  return null;
}

const pathOf = (error: unknown) => (error instanceof GraphQLError && error.path ? { path: error.path } : {});

export function logError(logger: Logger, error: unknown, message = 'unexpected error in a GraphQL operation') {
  const client = clientErrorOf(error);
  if (!client) return logger.error({ err: error }, message);
  logClientError(logger, client);
}

/** One line, no stack: info, or warn for the codes that also tell about the service's state. */
export function logClientError(logger: Logger, error: ClientError & { status?: number; close?: number }) {
  logger[WARN_CODES.has(error.code) ? 'warn' : 'info'](error, `client error ${error.code}: ${error.message}`);
}

/** Yoga's logger: its error() calls go through the policy above, each error once. */
export function yogaLogger(logger: Logger): YogaLogger {
  const logged = new WeakSet<object>();
  const forward =
    (level: 'debug' | 'info' | 'warn') =>
    (...args: unknown[]) =>
      args.every((a) => typeof a === 'string') ? logger[level](args.join(' ')) : logger[level]({ detail: args }, 'graphql-yoga');
  return {
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: (...args: unknown[]) => {
      const [first] = args;
      if (typeof first === 'object' && first !== null) {
        if (logged.has(first)) return;
        logged.add(first);
      }
      logError(logger, first, typeof first === 'string' ? first : undefined);
    },
  };
}
