/**
 * What the route handlers share: their dependencies, the delivery fields every command takes (the
 * hosted API's channel, replyUrl, replyRef; our mode), and reading a request's optional fields.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { WaitMode } from '../../jobs/model.js';
import type { JobService } from '../../jobs/job-service.js';
import type { UploadSpooler } from '../../jobs/staged-file.js';
import { MAX_REPLY_FIELD_LENGTH, type DeliveryInput, type SubmissionContext } from '../../jobs/submission.js';
import type { FieldSpec, RestRequest } from './route.js';

export interface RouteDeps {
  jobs: JobService;
  spooler: UploadSpooler;
  config: Config;
  logger: Logger;
  checkReplyUrl: (url: string) => Promise<void>;
}

export const submissionContext = (deps: RouteDeps, request: RestRequest): SubmissionContext => ({
  viewer: request.viewer,
  jobs: deps.jobs,
  spooler: deps.spooler,
  checkReplyUrl: deps.checkReplyUrl,
  config: deps.config,
});

/** A field's value, an empty one read as absent (FormData.append('channel', '') sends one). */
export function optionalField(request: RestRequest, name: string): string | undefined {
  const value = request.field(name);
  return value === '' ? undefined : value;
}

const WAIT_MODES: readonly WaitMode[] = ['QUEUE', 'FAIL_FAST'];

export function deliveryInput(request: RestRequest): DeliveryInput {
  const mode = optionalField(request, 'mode');
  if (mode !== undefined && !(WAIT_MODES as readonly string[]).includes(mode))
    throw new AppError('BAD_USER_INPUT', `Param mode must be ${WAIT_MODES.join(' or ')}`, { field: 'mode' });
  return {
    channel: optionalField(request, 'channel') ?? null,
    replyUrl: optionalField(request, 'replyUrl') ?? null,
    replyRef: optionalField(request, 'replyRef') ?? null,
    mode: (mode as WaitMode | undefined) ?? 'QUEUE',
  };
}

/** The hosted API's delivery fields, then ours. `channel` is described by each command (the rule differs). */
export function deliveryFields(channelDescription: string): FieldSpec[] {
  return [
    { name: 'channel', description: channelDescription },
    {
      name: 'replyUrl',
      description: `http(s) URL that receives the job (POSTed, signed when CALLBACK_SECRET is set) once it is terminal; at most ${MAX_REPLY_FIELD_LENGTH} characters.`,
    },
    { name: 'replyRef', description: `Your reference, returned with the job; at most ${MAX_REPLY_FIELD_LENGTH} characters.` },
    {
      name: 'mode',
      enum: WAIT_MODES,
      description:
        'Ours. QUEUE (default): wait in the queue when every channel is busy (fair between API tokens, first come first served within one). FAIL_FAST: the hosted API’s behaviour, a few lock attempts then 429 "Unable to lock Discord after N attempts".',
    },
  ];
}
