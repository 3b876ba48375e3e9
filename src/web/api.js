// The project's GraphQL API from the browser: JSON queries, the multipart upload (GraphQL multipart
// request spec, with the CSRF preflight header) and graphql-ws subscriptions, all with the token.

const ENDPOINT = '/graphql';
const PICSI = 'mutation ($input: PicsiInput!) { picsi(input: $input) { id status queuePosition } }';
const JOB_FIELDS = 'id status queuePosition created code error attachments { url width height filename }';
const JOB_UPDATED = `subscription ($id: ID!) { jobUpdated(id: $id) { ${JOB_FIELDS} } }`;
const RECENT_JOBS = `query ($first: Int) { jobs(first: $first) { edges { node { ${JOB_FIELDS} } } } }`;

export class Api {
  /** @param {() => string} token the current API token ('' when none) */
  constructor(token) {
    this.token = token;
    this.ws = null;
  }

  authHeaders() {
    const token = this.token();
    return token ? { authorization: `Bearer ${token}` } : {};
  }

  /** Runs a query; resolves { data, errors } (errors as GraphQL errors, network failures included). */
  async query(query, variables = {}) {
    return this.send({
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...this.authHeaders() },
      body: JSON.stringify({ query, variables }),
    });
  }

  /** Uploads the face and the target as a picsi job. */
  async picsi(source, target, options) {
    const form = new FormData();
    const input = { sourceImage: null, targetImage: null, ...(options ? { options } : {}) };
    form.set('operations', JSON.stringify({ query: PICSI, variables: { input } }));
    form.set('map', JSON.stringify({ 0: ['variables.input.sourceImage'], 1: ['variables.input.targetImage'] }));
    form.set('0', source, source.name);
    form.set('1', target, target.name);
    const result = await this.send({ method: 'POST', headers: { 'x-graphql-yoga-csrf': '1', ...this.authHeaders() }, body: form });
    return { job: result.data?.picsi ?? null, errors: result.errors };
  }

  recentJobs(first = 10) {
    return this.query(RECENT_JOBS, { first });
  }

  /** Follows a job until it is terminal; returns a function that stops following. */
  watchJob(id, { onUpdate, onError }) {
    return this.client(onError).subscribe(
      { query: JOB_UPDATED, variables: { id } },
      {
        next: (result) => (result.errors?.length ? onError({ errors: result.errors }) : onUpdate(result.data.jobUpdated)),
        error: (error) => onError(Array.isArray(error) ? { errors: error } : { close: error }),
        complete: () => {},
      },
    );
  }

  /** Forgets the websocket, so the next subscription authenticates with the current token. */
  tokenChanged() {
    this.ws?.dispose();
    this.ws = null;
  }

  client() {
    if (this.ws) return this.ws;
    const url = new URL(ENDPOINT, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.ws = globalThis.graphqlWs.createClient({
      url: url.href,
      connectionParams: () => this.authHeaders(),
      // A refused token stays refused: do not reconnect in a loop.
      shouldRetry: (event) => !(event && (event.code === 4401 || event.code === 4403)),
      retryAttempts: 5,
    });
    return this.ws;
  }

  async send(init) {
    let response;
    try {
      response = await fetch(ENDPOINT, init);
    } catch {
      return { data: null, errors: [{ message: 'network', extensions: { code: 'NETWORK' } }] };
    }
    try {
      const body = await response.json();
      return { data: body.data ?? null, errors: body.errors };
    } catch {
      return {
        data: null,
        errors: [
          { message: `HTTP ${response.status}`, extensions: { code: response.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } },
        ],
      };
    }
  }
}
