/**
 * The callback body: the job in the hosted API's JSON, from the one serializer the REST answers use
 * too (src/jobs/hosted-job.ts), so receivers written for the hosted service keep working. Only the
 * hosted API's fields and our `errorCode` are sent (no view extras, no bookkeeping).
 */
export { toHostedJson, type HostedAttachment, type HostedFileInfo, type HostedJob } from '../jobs/hosted-job.js';
