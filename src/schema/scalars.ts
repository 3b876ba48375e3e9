import { GraphQLUpload } from 'graphql-upload-ts';
import { GraphQLError } from 'graphql';
import { builder } from './builder.js';

builder.addScalarType('Upload', GraphQLUpload, {});

builder.scalarType('DateTime', {
  description: 'An ISO 8601 UTC timestamp with milliseconds, e.g. 2026-01-31T12:00:00.000Z.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      throw new GraphQLError('DateTime must be an ISO 8601 string', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return new Date(value).toISOString();
  },
});
