/** The identity mutations over HTTP for tests: one call per mutation, the job's fields as the API returns them. */
import { postJson, postMultipart, type GraphQLResponse } from './graphql-http.js';

export interface IdentityJob {
  id: string;
  verb: string;
  status: string;
  channel: string | null;
  idname: string | null;
  creditCost: number | null;
  sourceImage: { size: number; type: string } | null;
  targetImage: { size: number; type: string } | null;
  content: string | null;
  identities: string[] | null;
  defaultIdentity: string | null;
  attachments: { url: string; contentType: string | null; width: number | null; height: number | null; copyState: string | null }[];
  code: string | null;
  error: string | null;
  errorDetails: string | null;
}

const FIELDS = `id verb status channel idname creditCost sourceImage { size type } targetImage { size type } content identities
  defaultIdentity attachments { url contentType width height copyState } code error errorDetails`;

type InputMutation = 'saveId' | 'swapId' | 'setId' | 'deleteId';
type ArgsMutation = 'listIds' | 'deleteAllIds';
type Response = GraphQLResponse<Record<string, IdentityJob>>;

export class IdentityClient {
  readonly fields = FIELDS;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  saveIdResponse(input: Record<string, unknown>, image: Buffer, filename = 'face.png'): Promise<Response> {
    return this.upload('saveId', 'SaveIdInput', 'image', input, image, filename);
  }

  swapIdResponse(input: Record<string, unknown>, target: Buffer, filename = 'scene.jpg'): Promise<Response> {
    return this.upload('swapId', 'SwapIdInput', 'targetImage', input, target, filename);
  }

  async saveId(input: Record<string, unknown>, image: Buffer): Promise<IdentityJob | undefined> {
    return this.job(await this.saveIdResponse(input, image), 'saveId');
  }

  async swapId(input: Record<string, unknown>, target: Buffer, filename?: string): Promise<IdentityJob | undefined> {
    return this.job(await this.swapIdResponse(input, target, filename), 'swapId');
  }

  /** setId or deleteId (no upload). */
  runResponse(mutation: Exclude<InputMutation, 'saveId' | 'swapId'>, input: Record<string, unknown>): Promise<Response> {
    const type = mutation === 'setId' ? 'SetIdInput' : 'DeleteIdInput';
    return postJson(this.url, `mutation ($input: ${type}!) { ${mutation}(input: $input) { ${FIELDS} } }`, { input }, this.token);
  }

  async run(mutation: Exclude<InputMutation, 'saveId' | 'swapId'>, input: Record<string, unknown>): Promise<IdentityJob | undefined> {
    return this.job(await this.runResponse(mutation, input), mutation);
  }

  argsResponse(mutation: ArgsMutation, args: { channel?: string; wait?: boolean }): Promise<Response> {
    return postJson(
      this.url,
      `mutation ($channel: String, $wait: Boolean) { ${mutation}(channel: $channel, wait: $wait) { ${FIELDS} } }`,
      args,
      this.token,
    );
  }

  async listIds(args: { channel?: string } = {}): Promise<IdentityJob | undefined> {
    return this.job(await this.argsResponse('listIds', { ...args, wait: true }), 'listIds');
  }

  async deleteAllIds(args: { channel?: string } = {}): Promise<IdentityJob | undefined> {
    return this.job(await this.argsResponse('deleteAllIds', { ...args, wait: true }), 'deleteAllIds');
  }

  async jobs(): Promise<{ id: string }[]> {
    const res = await postJson<{ jobs: { edges: { node: { id: string } }[] } }>(
      this.url,
      '{ jobs(first: 100) { edges { node { id } } } }',
      {},
      this.token,
    );
    return res.body.data?.jobs.edges.map((e) => e.node) ?? [];
  }

  firstError(res: GraphQLResponse<unknown>) {
    const error = res.body.errors?.[0];
    return { code: error?.extensions?.['code'], message: error?.message, extensions: error?.extensions };
  }

  private upload(mutation: InputMutation, type: string, field: string, input: Record<string, unknown>, bytes: Buffer, filename: string) {
    const contentType = filename.endsWith('.gif') ? 'image/gif' : filename.endsWith('.jpg') ? 'image/jpeg' : 'image/png';
    return postMultipart<Record<string, IdentityJob>>(
      this.url,
      `mutation ($input: ${type}!) { ${mutation}(input: $input) { ${FIELDS} } }`,
      { input: { ...input, [field]: null } },
      { [`input.${field}`]: { bytes, filename, type: contentType } },
      { token: this.token },
    );
  }

  private job(res: Response, mutation: string): IdentityJob | undefined {
    if (res.body.errors?.length) throw new Error(`${mutation}: ${JSON.stringify(res.body.errors)}`);
    return res.body.data?.[mutation];
  }
}

/** An image whose header reads fine but whose pixels do not decode: the bot finds no face in it. */
export function corruptImageBody(png: Buffer): Buffer {
  const bad = Buffer.from(png);
  const idat = bad.indexOf(Buffer.from('IDAT'));
  for (let i = idat + 8; i < Math.min(idat + 30, bad.length - 12); i++) bad[i] = 0x55;
  return bad;
}
