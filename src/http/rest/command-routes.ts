/**
 * The hosted API's command endpoints: POST picsi, saveid, swapid, setid, listid and DELETE delid,
 * delall, one table row each. Every one is blocking as the hosted API's are: it answers with the
 * finished job, or with the job as `started` once WAIT_TIMEOUT_MS passed (poll GET jobs/?jobid=).
 * The rules are the GraphQL mutations' (src/jobs/submission.ts, command-args.ts): nothing is
 * checked here that is not checked there.
 */
import { ERROR_CODES, JOB_ERROR_CODES, type JobErrorCode } from '../../errors.js';
import { commandArguments } from '../../jobs/command-args.js';
import type { BotCommand } from '../../jobs/commands.js';
import { HOSTED_CODES } from '../../jobs/hosted-codes.js';
import type { StagedFile } from '../../jobs/staged-file.js';
import { submitStaged, waitForTerminal, type StagedInputs } from '../../jobs/submission.js';
import { deliveryFields, deliveryInput, optionalField, submissionContext, type RouteDeps } from './fields.js';
import { commandReply } from './job-reply.js';
import { RESPONSES } from './responses.js';
import type { FieldSpec, FileSpec, HttpMethod, ResponseSpec, RestRequest, RestReply, RouteSpec } from './route.js';
import { SCHEMA } from './schemas.js';

interface CommandFile extends FileSpec {
  role: keyof StagedInputs;
}

interface CommandRoute {
  command: BotCommand;
  method: HttpMethod;
  summary: string;
  files: readonly CommandFile[];
  fields: readonly FieldSpec[];
  channel: string;
}

const ANY_CHANNEL = 'A configured channel id; omitted: a channel with credits left (any eligible one).';
const IDENTITY_CHANNEL =
  'The channel whose account holds the identities; required once more than one account is configured (saved identities live in one Discord account).';
const IMAGE = 'a File or Blob of any declared type: the bytes must be a PNG, JPEG, GIF or WebP';
const IDNAME = 'letters and digits, at most 10 characters';

const COMMANDS: readonly CommandRoute[] = [
  {
    command: 'picsi',
    method: 'POST',
    summary: 'Face-swap source_image onto target_image_gif_or_video (/picsi)',
    files: [
      { name: 'source_image', role: 'source', description: `The face: ${IMAGE}.` },
      {
        name: 'target_image_gif_or_video',
        role: 'target',
        description: `The image whose face is replaced: ${IMAGE}; an animated GIF yields an animated GIF (video is not supported).`,
      },
    ],
    fields: [{ name: 'options', description: 'Bot options, e.g. `-m --shut -o 500` (README, Options).', example: '-m' }],
    channel: ANY_CHANNEL,
  },
  {
    command: 'saveid',
    method: 'POST',
    summary: 'Save the face of image under idname (/saveid)',
    files: [{ name: 'image', role: 'source', description: `An image with the face to save: ${IMAGE}.` }],
    fields: [{ name: 'idname', required: true, description: `The name (${IDNAME}); saving a name again replaces it.` }],
    channel: IDENTITY_CHANNEL,
  },
  {
    command: 'swapid',
    method: 'POST',
    summary: 'Swap saved identities onto image (/swapid)',
    files: [{ name: 'image', role: 'target', description: `The target: ${IMAGE}; an animated GIF yields an animated GIF.` }],
    fields: [{ name: 'idname', required: true, description: `Saved names, comma separated, one per face (each: ${IDNAME}).` }],
    channel: IDENTITY_CHANNEL,
  },
  {
    command: 'setid',
    method: 'POST',
    summary: 'Set the default identities (/setid)',
    files: [],
    fields: [
      {
        name: 'idname',
        required: true,
        description: 'Saved names face by face, comma separated: `_` skips a face, `a+b` mixes, then `--greedy` or `--nogreedy`.',
      },
    ],
    channel: IDENTITY_CHANNEL,
  },
  { command: 'listid', method: 'POST', summary: 'List the saved identities (/listid)', files: [], fields: [], channel: IDENTITY_CHANNEL },
  {
    command: 'delid',
    method: 'DELETE',
    summary: 'Delete one saved identity (/delid)',
    files: [],
    fields: [{ name: 'idname', required: true, description: 'The saved name to delete.' }],
    channel: IDENTITY_CHANNEL,
  },
  {
    command: 'delall',
    method: 'DELETE',
    summary: 'Delete every saved identity (/delall)',
    files: [],
    fields: [],
    channel: IDENTITY_CHANNEL,
  },
];

/** The answers of a failed or cancelled job, by status, generated from the job codes of src/errors.ts. */
function jobOutcomeResponses(): Record<number, ResponseSpec> {
  const byStatus = new Map<number, JobErrorCode[]>();
  for (const code of JOB_ERROR_CODES) byStatus.set(HOSTED_CODES[code].status, [...(byStatus.get(HOSTED_CODES[code].status) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      status,
      {
        description: `The job ended ${codes.map((c) => `${c} (${ERROR_CODES[c].description})`).join('; ')}`,
        schema: { oneOf: [SCHEMA.job, SCHEMA.error] },
      },
    ]),
  );
}

function commandResponses(): Record<number, ResponseSpec> {
  return {
    ...jobOutcomeResponses(),
    200: {
      description: 'The finished job (`completed`), or the job as `started` when WAIT_TIMEOUT_MS passed first: poll GET jobs/?jobid=.',
      schema: SCHEMA.job,
    },
    400: RESPONSES.badInput,
    401: RESPONSES.unauthorized,
    402: { ...RESPONSES.paymentRequired, schema: { oneOf: [SCHEMA.error, SCHEMA.job] } },
    413: RESPONSES.tooLarge,
    429: { ...RESPONSES.busy, schema: { oneOf: [SCHEMA.error, SCHEMA.job] } },
    503: RESPONSES.unavailable,
  };
}

async function runCommand(deps: RouteDeps, route: CommandRoute, request: RestRequest): Promise<RestReply> {
  const staged = await stagedInputs(deps, route, request);
  const ctx = submissionContext(deps, request);
  const { args, delivery } = await discardOnRefusal(deps, staged, () => ({
    args: commandArguments(route.command, { options: optionalField(request, 'options'), idname: request.field('idname') }),
    delivery: deliveryInput(request),
  }));
  const job = await submitStaged(ctx, delivery, staged, { command: route.command, ...args });
  return commandReply(deps.jobs, await waitForTerminal(ctx, job, request.signal), request.origin);
}

/** The request's other checks: a refusal deletes the images already stored, as no job will own them. */
async function discardOnRefusal<T>(deps: RouteDeps, staged: StagedInputs, check: () => T): Promise<T> {
  try {
    return check();
  } catch (error) {
    await deps.spooler.discard(staged.source, staged.target).catch(() => undefined);
    throw error;
  }
}

/**
 * The command's images: the files the body reader stored; for a field that holds text or nothing
 * the spooler's own refusal ("is not File or Blob", "is missing or empty"). All or nothing.
 */
async function stagedInputs(deps: RouteDeps, route: CommandRoute, request: RestRequest): Promise<StagedInputs> {
  const results = await Promise.allSettled(
    route.files.map(
      async (file): Promise<StagedFile> => request.files.get(file.name) ?? deps.spooler.spool(request.bodyFields.get(file.name), file.name),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await deps.spooler.discard(...request.files.values()).catch(() => undefined);
    throw failed.reason;
  }
  return Object.fromEntries(route.files.map((file, i) => [file.role, (results[i] as PromiseFulfilledResult<StagedFile>).value]));
}

export function commandRoutes(deps: RouteDeps): RouteSpec[] {
  return COMMANDS.map((route) => ({
    method: route.method,
    path: `/v1/faceswap/${route.command}`,
    operationId: route.command,
    summary: route.summary,
    description:
      'Blocking, as the hosted API: answers with the finished job, or with the job as `started` once WAIT_TIMEOUT_MS passed (then poll GET jobs/?jobid= or wait for the replyUrl callback). A failed job answers with its `code` as the HTTP status.',
    tag: route.command === 'picsi' ? 'face swap' : 'identities',
    access: 'user',
    body: {
      fields: [...route.fields, ...deliveryFields(route.channel)],
      files: route.files.map(({ name, description }) => ({ name, description })),
    },
    responses: commandResponses(),
    handle: (request) => runCommand(deps, route, request),
  }));
}
