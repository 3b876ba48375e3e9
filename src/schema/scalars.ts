import { GraphQLUpload } from 'graphql-upload-ts';
import { GraphQLError, GraphQLScalarType } from 'graphql';
import { builder } from './builder.js';

/** Shown in GraphiQL's docs: GraphiQL cannot send files, so the page or a multipart request does. */
const UPLOAD_DESCRIPTION = `A file (PNG, JPEG, GIF or WebP), sent as a multipart request (the GraphQL multipart request spec): GraphiQL cannot send files, and a file written into a query or its variables is refused. The page at / uploads for you. With curl:

curl http://localhost:4000/graphql -H 'x-graphql-yoga-csrf: 1' \\
  -F operations='{"query":"mutation ($input: PicsiInput!) { picsi(input: $input) { id status } }","variables":{"input":{"sourceImage":null,"targetImage":null}}}' \\
  -F map='{"0":["variables.input.sourceImage"],"1":["variables.input.targetImage"]}' \\
  -F 0=@face.png -F 1=@target.jpg

(add -H 'Authorization: Bearer <token>' when the server has API_TOKENS).`;

/** What someone who typed a file into GraphiQL reads instead of "Upload literal unsupported". */
export const UPLOAD_NOT_A_FILE =
  'A file cannot be written into a query or its variables, and GraphiQL cannot send files: upload it as a multipart request. The page at / does that for you; the Upload type’s description (Docs) shows a curl example.';

const notAFile = () => new GraphQLError(UPLOAD_NOT_A_FILE, { extensions: { code: 'BAD_USER_INPUT' } });
/** graphql-upload-ts's words first: src/http/errors.ts gives them the hosted API's wording, ours stay in `detail`. */
const typedValue = () => new GraphQLError(`Upload value invalid. ${UPLOAD_NOT_A_FILE}`, { extensions: { code: 'BAD_USER_INPUT' } });

const upload = GraphQLUpload.toConfig();
const Upload = new GraphQLScalarType({
  ...upload,
  description: UPLOAD_DESCRIPTION,
  parseValue: (value: unknown) => {
    // A multipart request's file arrives as an Upload instance; anything else was typed.
    try {
      return upload.parseValue(value);
    } catch {
      throw typedValue();
    }
  },
  parseLiteral: () => {
    throw notAFile();
  },
});

builder.addScalarType('Upload', Upload, {});

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
