/** src/http/errors.ts takes each AppError's HTTP status from ERROR_CODES, and Job.code's enum from its job codes. */
import { GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES, JOB_ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { httpStatusOf } from '../../src/http/errors.js';
import { buildSchema } from '../../src/schema/index.js';

describe('httpStatusOf', () => {
  it('gives a resolver error its status only for the codes that refuse the request', () => {
    const statuses = Object.fromEntries(
      (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => [code, httpStatusOf(new AppError(code, 'x'))?.status ?? 200]),
    );
    expect(statuses).toEqual({
      BAD_USER_INPUT: 200,
      CHANNEL_REQUIRED: 200,
      GRAPHQL_PARSE_FAILED: 200,
      GRAPHQL_VALIDATION_FAILED: 200,
      BAD_REQUEST: 200,
      REQUEST_ENTITY_TOO_LARGE: 200,
      CSRF_PREFLIGHT_REQUIRED: 200,
      ORIGIN_FORBIDDEN: 200,
      RATE_LIMITED: 429,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 200,
      NOT_FOUND: 200,
      PAYMENT_REQUIRED: 402,
      TOKEN_CREDITS_SPENT: 402,
      CHANNEL_BUSY: 429,
      DISCORD_RATE_LIMITED: 200,
      BOT_ERROR: 200,
      IDENTITY_NOT_FOUND: 200,
      TOO_MANY_IDENTITIES: 200,
      IDENTITY_LIMIT_REACHED: 200,
      INTERACTION_FAILED: 200,
      DISCORD_UNAUTHORIZED: 200,
      DISCORD_ERROR: 200,
      ACCOUNT_UNAVAILABLE: 200,
      TIMEOUT: 200,
      EXECUTOR_LOST: 200,
      CANCELLED: 200,
      SERVICE_UNAVAILABLE: 503,
      INTERNAL_SERVER_ERROR: 200,
    });
  });

  it('adds WWW-Authenticate to 401 and a whole-second Retry-After (at least 1) where retryAfter is given', () => {
    expect(httpStatusOf(new AppError('UNAUTHENTICATED', 'x'))).toEqual({ status: 401, headers: { 'WWW-Authenticate': 'Bearer' } });
    expect(httpStatusOf(new AppError('CHANNEL_BUSY', 'x', { retryAfter: 2.2 }))).toEqual({ status: 429, headers: { 'Retry-After': '3' } });
    expect(httpStatusOf(new AppError('SERVICE_UNAVAILABLE', 'x', { retryAfter: 0.1 }))).toEqual({
      status: 503,
      headers: { 'Retry-After': '1' },
    });
    expect(httpStatusOf(new AppError('PAYMENT_REQUIRED', 'x'))).toEqual({ status: 402 });
  });
});

describe('JobErrorCode', () => {
  it('is the enum of the job codes in ERROR_CODES', () => {
    const type = buildSchema().getType('JobErrorCode');
    expect(type).toBeInstanceOf(GraphQLEnumType);
    expect(
      (type as GraphQLEnumType)
        .getValues()
        .map((v) => v.value)
        .sort(),
    ).toEqual([...JOB_ERROR_CODES].sort());
    expect([...JOB_ERROR_CODES].sort()).toEqual([
      'ACCOUNT_UNAVAILABLE',
      'BOT_ERROR',
      'CANCELLED',
      'DISCORD_ERROR',
      'DISCORD_RATE_LIMITED',
      'DISCORD_UNAUTHORIZED',
      'EXECUTOR_LOST',
      'IDENTITY_LIMIT_REACHED',
      'IDENTITY_NOT_FOUND',
      'INTERACTION_FAILED',
      'INTERNAL_SERVER_ERROR',
      'PAYMENT_REQUIRED',
      'TIMEOUT',
      'TOO_MANY_IDENTITIES',
    ]);
  });
});
