/**
 * The OpenAPI 3.1 document of the REST API (served at /v1/openapi.json), generated from the route
 * table the server matches requests with (routes.ts), so it lists exactly what is served.
 */
import type { FieldSpec, ResponseSpec, RouteSpec } from './route.js';
import { COMPONENT_SCHEMAS, type JsonSchema } from './schemas.js';

export const OPENAPI_PATH = '/v1/openapi.json';

export type OpenApiDocument = Readonly<Record<string, unknown>>;

const DESCRIPTION = `The hosted InsightFaceSwap API's REST contract, served by this server from the same job service as
its GraphQL API: point a client written for the hosted API at this server's URL and token, nothing else.
Jobs queue for a free channel instead of failing with 429, results keep a durable download link, and
callbacks are signed (Standard Webhooks). Authenticate with \`Authorization: Bearer <API token>\`.`;

const textSchema = (field: FieldSpec): JsonSchema => ({
  type: 'string',
  description: field.description,
  ...(field.enum ? { enum: field.enum } : {}),
  ...(field.example !== undefined ? { examples: [field.example] } : {}),
});

const FILE_SCHEMA = { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' } as const;

function parameters(route: RouteSpec): JsonSchema[] {
  const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const inQuery = (route.query ?? []).map((field) => ({
    name: field.name,
    in: 'query',
    required: field.required === true,
    description: field.description,
    schema: textSchema(field),
  }));
  return [...inPath, ...inQuery];
}

function requestBody(route: RouteSpec): JsonSchema | undefined {
  if (!route.body) return undefined;
  const files = route.body.files ?? [];
  const schema = {
    type: 'object',
    properties: {
      ...Object.fromEntries(files.map((file) => [file.name, { ...FILE_SCHEMA, description: file.description }])),
      ...Object.fromEntries(route.body.fields.map((field) => [field.name, textSchema(field)])),
    },
    required: [...files.map((f) => f.name), ...route.body.fields.filter((f) => f.required).map((f) => f.name)],
  };
  const types =
    files.length > 0 ? ['multipart/form-data'] : ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];
  return { required: schema.required.length > 0, content: Object.fromEntries(types.map((type) => [type, { schema }])) };
}

function response({ description, schema, headers }: ResponseSpec): JsonSchema {
  return {
    description,
    ...(headers
      ? {
          headers: Object.fromEntries(
            Object.entries(headers).map(([name, text]) => [name, { description: text, schema: { type: 'string' } }]),
          ),
        }
      : {}),
    ...(schema ? { content: { 'application/json': { schema } } } : {}),
  };
}

function operation(route: RouteSpec): JsonSchema {
  const body = requestBody(route);
  const params = parameters(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: route.description,
    tags: [route.tag],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: Object.fromEntries(Object.entries(route.responses).map(([status, spec]) => [status, response(spec)])),
  };
}

export function openApiDocument(routes: readonly RouteSpec[]): OpenApiDocument {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    info: { title: 'picsi-graphql: the hosted InsightFaceSwap API', version: '1.0.0', description: DESCRIPTION },
    tags: [
      { name: 'face swap', description: 'The /picsi command.' },
      { name: 'identities', description: 'Save faces under names and swap them: the bot’s identity commands.' },
      { name: 'jobs', description: 'Follow and cancel jobs.' },
      { name: 'accounts', description: 'The Discord accounts that run the jobs (admin tokens).' },
    ],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas: COMPONENT_SCHEMAS,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (API_TOKENS; ADMIN_TOKENS for accounts).' },
      },
    },
  };
}
