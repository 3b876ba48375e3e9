/**
 * The delivery fields of every job-starting mutation (picsi and the identity commands), as GraphQL
 * input fields. Their rules, the spooling, the submit and the hosted API's blocking wait are shared
 * with the REST API (src/jobs/submission.ts).
 */
import { MAX_REPLY_FIELD_LENGTH } from '../jobs/submission.js';
import { type builder } from './builder.js';
import { WaitModeEnum } from './job-enums.js';

export { MAX_REPLY_FIELD_LENGTH, startJob, type DeliveryInput, type UploadArg } from '../jobs/submission.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
type InputFields = PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>;

/** The delivery fields of an input type; `channel` is described by the caller (the rule differs). */
export function deliveryFields(t: InputFields, channelDescription: string) {
  return {
    channel: t.string({ required: false, description: channelDescription }),
    replyUrl: t.string({
      required: false,
      description: `http(s) URL that receives the job once terminal (≤ ${MAX_REPLY_FIELD_LENGTH} characters).`,
    }),
    replyRef: t.string({ required: false, description: `Your reference, returned with the job (≤ ${MAX_REPLY_FIELD_LENGTH} characters).` }),
    mode: t.field({
      type: WaitModeEnum,
      required: false,
      defaultValue: 'QUEUE',
      description: 'What to do when every eligible channel is busy.',
    }),
    wait: t.boolean({
      required: false,
      defaultValue: false,
      description: 'Block until the job is terminal (bounded by WAIT_TIMEOUT_MS; then the job is returned as it stands).',
    }),
  };
}
