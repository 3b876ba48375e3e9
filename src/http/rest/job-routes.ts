/**
 * The hosted API's job endpoints: GET jobs/?jobid= (one job; without jobid, a page of your jobs,
 * newest first) and GET jobs/cancel/?jobid=. A job is visible to the token that created it and to
 * admin tokens (src/jobs/visibility.ts), exactly as over GraphQL; another's reads as unknown.
 */
import { AppError, echoInput } from '../../errors.js';
import { HOSTED_STATUSES } from '../../jobs/hosted-job.js';
import { JOB_STATUSES, type JobStatus } from '../../jobs/model.js';
import type { JobView } from '../../jobs/job-service.js';
import { cancellingOwner, canSeeJob, visibleJobsFilter } from '../../jobs/visibility.js';
import { optionalField, type RouteDeps } from './fields.js';
import { hostedView } from './job-reply.js';
import { RESPONSES } from './responses.js';
import type { FieldSpec, RestRequest, RestReply, RouteSpec } from './route.js';
import { SCHEMA } from './schemas.js';

export const JOBS_PATH = '/v1/faceswap/jobs/';
export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;

const JOBID: FieldSpec = { name: 'jobid', description: 'The job’s id (`jobid` of a job).' };

const unknownJob = (id: string) => new AppError('NOT_FOUND', `Unable to locate job ${echoInput(id)}`, { field: 'jobid' });

/** The job `jobid` names, if this token may see it; the hosted API's 404 otherwise. */
async function visibleJob(deps: RouteDeps, request: RestRequest): Promise<JobView> {
  const id = request.field('jobid');
  if (!id) throw new AppError('BAD_USER_INPUT', 'Required param jobid is missing or empty', { field: 'jobid' });
  const job = await deps.jobs.get(id);
  if (!job || !canSeeJob(request.viewer, job)) throw unknownJob(id);
  return job;
}

const statusByHostedName = new Map(JOB_STATUSES.map((s) => [HOSTED_STATUSES[s] as string, s]));

function pageOf(request: RestRequest): { status?: JobStatus; channel?: string; first: number; after: string | null } {
  const status = optionalField(request, 'status');
  const channel = optionalField(request, 'channel');
  const limit = optionalField(request, 'limit');
  const first = limit === undefined ? DEFAULT_PAGE_SIZE : Number(limit);
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
    throw new AppError('BAD_USER_INPUT', `Param limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, { field: 'limit' });
  const known = status === undefined ? undefined : statusByHostedName.get(status);
  if (status !== undefined && known === undefined)
    throw new AppError('BAD_USER_INPUT', `Param status must be one of ${[...statusByHostedName.keys()].join(', ')}`, { field: 'status' });
  return { ...(known ? { status: known } : {}), ...(channel ? { channel } : {}), first, after: optionalField(request, 'after') ?? null };
}

async function listJobs(deps: RouteDeps, request: RestRequest): Promise<RestReply> {
  const { first, after, ...filter } = pageOf(request);
  const page = await deps.jobs.list({ ...visibleJobsFilter(request.viewer), ...filter }, { first, after });
  const body = await Promise.all(page.edges.map(({ job }) => hostedView(deps.jobs, job, request.origin)));
  if (!page.hasNextPage || page.endCursor === null) return { status: 200, body };
  const next = new URL(JOBS_PATH, request.origin);
  for (const [name, value] of Object.entries({ status: optionalField(request, 'status'), channel: filter.channel, limit: String(first) }))
    if (value !== undefined) next.searchParams.set(name, value);
  next.searchParams.set('after', page.endCursor);
  return { status: 200, body, headers: { link: `<${next.href}>; rel="next"` } };
}

async function getJobs(deps: RouteDeps, request: RestRequest): Promise<RestReply> {
  if (request.field('jobid') === undefined) return listJobs(deps, request);
  return { status: 200, body: await hostedView(deps.jobs, await visibleJob(deps, request), request.origin) };
}

async function cancelJob(deps: RouteDeps, request: RestRequest): Promise<RestReply> {
  const job = await visibleJob(deps, request);
  const cancelled = await deps.jobs.cancel(job.id, cancellingOwner(request.viewer));
  if (!cancelled) throw unknownJob(job.id);
  return { status: 200, body: await hostedView(deps.jobs, cancelled, request.origin) };
}

export function jobRoutes(deps: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: JOBS_PATH,
      operationId: 'getJobs',
      summary: 'One job by jobid, or a page of your jobs',
      description: `With jobid: that job (poll it until \`completed\`, \`failed\` or \`cancelled\`). Without: your jobs, newest first (admin tokens: everyone's), at most \`limit\` (1–${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}); a \`Link: <…>; rel="next"\` header points at the next page.`,
      tag: 'jobs',
      access: 'user',
      query: [
        JOBID,
        { name: 'status', enum: Object.values(HOSTED_STATUSES), description: 'Listing: only jobs in this status.' },
        { name: 'channel', description: 'Listing: only jobs of this channel.' },
        { name: 'limit', description: `Listing: jobs per page, 1–${MAX_PAGE_SIZE}.`, example: '20' },
        { name: 'after', description: 'Listing: the cursor from the previous page’s Link header.' },
      ],
      responses: {
        200: {
          description: 'The job (with jobid), or a page of jobs (without).',
          schema: { oneOf: [SCHEMA.job, SCHEMA.jobs] },
          headers: { Link: 'Listing: `<url>; rel="next"` when there is a next page.' },
        },
        400: RESPONSES.badInput,
        401: RESPONSES.unauthorized,
        404: { ...RESPONSES.notFound, description: 'No such job, or not yours: "Unable to locate job <jobid>".' },
        503: RESPONSES.unavailable,
      },
      handle: (request) => getJobs(deps, request),
    },
    {
      method: 'GET',
      path: `${JOBS_PATH}cancel/`,
      operationId: 'cancelJob',
      summary: 'Cancel a job',
      description:
        'A queued job leaves the queue; a running one stops its Discord calls. Answers the job: `cancelled`, or as it ended if it had already finished.',
      tag: 'jobs',
      access: 'user',
      query: [{ ...JOBID, required: true }],
      responses: {
        200: { description: 'The job, `cancelled` unless it had already finished.', schema: SCHEMA.job },
        400: RESPONSES.badInput,
        401: RESPONSES.unauthorized,
        404: { ...RESPONSES.notFound, description: 'No such job, or not yours: "Unable to locate job <jobid>".' },
        503: RESPONSES.unavailable,
      },
      handle: (request) => cancelJob(deps, request),
    },
  ];
}
