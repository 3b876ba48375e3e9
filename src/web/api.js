// The project's GraphQL API over HTTP: JSON queries and the multipart upload (GraphQL multipart
// request spec, with the CSRF preflight header), with the token. Every call resolves
// { data, errors }; network failures come back as an error with the code NETWORK.

const ENDPOINT = '/graphql';

/** The Job fields the page reads; `download` is our stored copy (never Discord's expiring URL). */
const BASE_JOB_FIELDS = `id verb status queuePosition created channel idname code error identities defaultIdentity version
  attachments { filename contentType width height download { url } }`;

const DELIVERY = 'channel: $channel';
/** What the operator view shows of an account. */
const ACCOUNT_FIELDS = `channel label plan enabled foreignCommand disabledReason
  health { state reason message evidence since until }
  pacing { minGapMs jitterMs dailyCommands activeHours timezone nextCommandAt }
  credits { total used }`;
/** What the operator view shows of a queued or running job. */
const QUEUE_JOB_FIELDS = 'id status command channel queuePosition created';
const OPERATIONS = {
  jobFields: '{ __type(name: "Job") { fields { name } } }',
  accounts: '{ accounts { channel label plan enabled credits { total used } } }',
  operatorAccounts: `{ accounts { ${ACCOUNT_FIELDS} } }`,
  accountUpdated: `subscription { accountUpdated { ${ACCOUNT_FIELDS} } }`,
  pauseAccount: `mutation ($input: PauseAccountInput!) { pauseAccount(input: $input) { ${ACCOUNT_FIELDS} } }`,
  resumeAccount: `mutation ($input: ResumeAccountInput!) { resumeAccount(input: $input) { ${ACCOUNT_FIELDS} } }`,
  jobsIn: `query ($status: JobStatus!) { jobs(first: 100, status: $status) { edges { node { ${QUEUE_JOB_FIELDS} } } pageInfo { hasNextPage } } }`,
  jobsUpdated: `subscription { jobsUpdated { ${QUEUE_JOB_FIELDS} } }`,
  job: (f) => `query ($id: ID!) { job(id: $id) { ${f} } }`,
  jobs: (f) => `query ($first: Int, $after: String) { jobs(first: $first, after: $after) {
    edges { node { ${f} } } pageInfo { hasNextPage endCursor } } }`,
  jobUpdated: (f) => `subscription ($id: ID!) { jobUpdated(id: $id) { ${f} } }`,
  cancelJob: (f) => `mutation ($id: ID!) { cancelJob(id: $id) { ${f} } }`,
  picsi: (f) => `mutation ($input: PicsiInput!) { picsi(input: $input) { ${f} } }`,
  saveId: (f) => `mutation ($input: SaveIdInput!) { saveId(input: $input) { ${f} } }`,
  swapId: (f) => `mutation ($input: SwapIdInput!) { swapId(input: $input) { ${f} } }`,
  setId: (f) => `mutation ($input: SetIdInput!) { setId(input: $input) { ${f} } }`,
  deleteId: (f) => `mutation ($input: DeleteIdInput!) { deleteId(input: $input) { ${f} } }`,
  listIds: (f) => `mutation ($channel: String) { listIds(${DELIVERY}) { ${f} } }`,
  deleteAllIds: (f) => `mutation ($channel: String) { deleteAllIds(${DELIVERY}) { ${f} } }`,
};

/** Fields the page shows when this server has them (an older or newer schema may not). */
const OPTIONAL_JOB_FIELDS = ['estimatedStartAt'];

const networkError = { message: 'network', extensions: { code: 'NETWORK' } };

export class Api {
  /** @param {() => string} token the current API token ('' when none) */
  constructor(token) {
    this.token = token;
    this.jobFields = BASE_JOB_FIELDS;
  }

  authHeaders() {
    const token = this.token();
    return token ? { authorization: `Bearer ${token}` } : {};
  }

  /** Adds the optional Job fields this server's schema has (read once, by introspection). */
  async learnJobFields() {
    const { data } = await this.query(OPERATIONS.jobFields);
    const names = new Set(data?.__type?.fields?.map((f) => f.name) ?? []);
    const extra = OPTIONAL_JOB_FIELDS.filter((name) => names.has(name));
    this.jobFields = [BASE_JOB_FIELDS, ...extra].join(' ');
  }

  /** Runs a query or mutation; resolves { data, errors }. */
  query(query, variables = {}) {
    return this.send({
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...this.authHeaders() },
      body: JSON.stringify({ query, variables }),
    });
  }

  /** A mutation whose `input` holds files: `files` maps input field names to File objects. */
  async upload(query, input, files) {
    const form = new FormData();
    const names = Object.keys(files);
    const variables = { input: { ...input, ...Object.fromEntries(names.map((n) => [n, null])) } };
    form.set('operations', JSON.stringify({ query, variables }));
    form.set('map', JSON.stringify(Object.fromEntries(names.map((n, i) => [i, [`variables.input.${n}`]]))));
    names.forEach((n, i) => form.set(String(i), files[n], files[n].name));
    return this.send({ method: 'POST', headers: { 'x-graphql-yoga-csrf': '1', ...this.authHeaders() }, body: form });
  }

  accounts() {
    return this.query(OPERATIONS.accounts);
  }

  /** Every account with what the operator view shows (admin tokens). */
  operatorAccounts() {
    return this.query(OPERATIONS.operatorAccounts);
  }

  /** pauseAccount or resumeAccount: { account, errors }. */
  async setPaused(paused, channel) {
    const input = paused ? { channel, note: 'paused from the operator view' } : { channel };
    const field = paused ? 'pauseAccount' : 'resumeAccount';
    const { data, errors } = await this.query(OPERATIONS[field], { input });
    return { account: data?.[field] ?? null, errors };
  }

  /** The first 100 jobs in `status` (QUEUED or RUNNING), every token's for an admin. */
  jobsIn(status) {
    return this.query(OPERATIONS.jobsIn, { status });
  }

  operatorStreams() {
    return { accounts: OPERATIONS.accountUpdated, jobs: OPERATIONS.jobsUpdated };
  }

  job(id) {
    return this.pick('job', this.query(OPERATIONS.job(this.jobFields), { id }));
  }

  /** One page of the viewer's jobs, newest first. */
  jobs(first, after) {
    return this.query(OPERATIONS.jobs(this.jobFields), { first, after: after ?? null });
  }

  cancelJob(id) {
    return this.pick('cancelJob', this.query(OPERATIONS.cancelJob(this.jobFields), { id }));
  }

  picsi({ source, target, options }) {
    const input = options ? { options } : {};
    return this.pick('picsi', this.upload(OPERATIONS.picsi(this.jobFields), input, { sourceImage: source, targetImage: target }));
  }

  saveId({ image, idname, channel }) {
    return this.pick('saveId', this.upload(OPERATIONS.saveId(this.jobFields), { idname, channel }, { image }));
  }

  swapId({ target, idname, channel }) {
    return this.pick('swapId', this.upload(OPERATIONS.swapId(this.jobFields), { idname, channel }, { targetImage: target }));
  }

  /** setId or deleteId: an identity command that takes a name and no image. */
  named(command, { idname, channel }) {
    return this.pick(command, this.query(OPERATIONS[command](this.jobFields), { input: { idname, channel } }));
  }

  /** listIds or deleteAllIds: an identity command on the whole account. */
  account(command, channel) {
    return this.pick(command, this.query(OPERATIONS[command](this.jobFields), { channel }));
  }

  jobUpdatedQuery() {
    return OPERATIONS.jobUpdated(this.jobFields);
  }

  /** { job, errors } from a result whose data holds the job under `field`. */
  async pick(field, pending) {
    const { data, errors } = await pending;
    return { job: data?.[field] ?? null, errors };
  }

  async send(init) {
    let response;
    try {
      response = await fetch(ENDPOINT, init);
    } catch {
      return { data: null, errors: [networkError] };
    }
    try {
      const body = await response.json();
      return { data: body.data ?? null, errors: body.errors };
    } catch {
      const code = response.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
      return { data: null, errors: [{ message: `HTTP ${response.status}`, extensions: { code } }] };
    }
  }
}
