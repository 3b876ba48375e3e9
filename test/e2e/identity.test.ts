/**
 * The identity commands end to end over real HTTP and websockets, against the simulated bot:
 * saveId → swapId → listIds → setId → deleteId → deleteAllIds, and each refusal with its code and
 * message (ours before acceptance, the bot's as the job's code).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../helpers/images.js';
import { collect, wsClient } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { corruptImageBody, IdentityClient, type IdentityJob } from '../helpers/identity-client.js';

const TOKEN = 'user-token-identity';
const PLENTY = 100_000;

let stack: Stack;
let api: IdentityClient;
let face: Buffer;
let scene: Buffer;
let channel: string;
beforeAll(async () => {
  const { DiscordSimulator } = await import('../../src/simulator/index.js');
  const simulator = await DiscordSimulator.start({ botDelayMs: 0 });
  const account = simulator.createAccount({ credits: PLENTY });
  stack = await startStack({ simulator, accounts: [account], env: { API_TOKENS: TOKEN, CREDITS_PER_DAY: String(PLENTY) } });
  channel = account.channelId;
  api = new IdentityClient(stack.url, TOKEN);
  [face, scene] = await Promise.all([makeImage(64, 64, 'png', '#c08060'), makeImage(96, 64, 'jpeg', '#336699')]);
});
afterAll(async () => {
  await stack.stop();
  await stack.simulator.close();
});

const completed = (job: IdentityJob | undefined) => {
  expect(job, 'no job returned').toBeDefined();
  expect({ status: job?.status, code: job?.code, error: job?.error }).toEqual({ status: 'COMPLETED', code: null, error: null });
  return job!;
};

describe('the identity workflow', () => {
  it('saveId then swapId with that name → COMPLETED with a result image', async () => {
    const saved = completed(await api.saveId({ idname: 'alice', wait: true }, face));
    expect(saved).toMatchObject({ verb: 'faceswap-saveid', idname: 'alice', channel, creditCost: 0, targetImage: null });
    expect(saved.sourceImage).toMatchObject({ type: 'image/png', size: face.length });
    expect(stack.simulator.identities(channel).names).toEqual(['alice']);

    const swapped = completed(await api.swapId({ idname: 'alice', wait: true }, scene));
    expect(swapped).toMatchObject({ verb: 'faceswap-swapid', idname: 'alice', sourceImage: null, creditCost: 3 });
    expect(swapped.attachments).toEqual([
      expect.objectContaining({ contentType: 'image/png', width: 96, height: 64, copyState: 'STORED' }),
    ]);
    const png = await fetch(swapped.attachments[0]!.url);
    expect(png.headers.get('content-type')).toBe('image/png');
  });

  it('listIds over the websocket shows the saved name, with the raw content; jobUpdated streams a swapId', async () => {
    const client = wsClient(stack.url, TOKEN);
    try {
      const { results, errors } = await collect<{ listIds: IdentityJob }>(client, `mutation { listIds(wait: true) { ${api.fields} } }`, {});
      expect(errors).toEqual([]);
      const listed = completed(results[0]?.listIds);
      expect(listed).toMatchObject({ verb: 'faceswap-listid', identities: ['alice'], defaultIdentity: 'alice' });
      expect(listed.content).toMatch(/alice/);

      const started = await api.swapId({ idname: 'alice' }, scene);
      const updates = await collect<{ jobUpdated: IdentityJob }>(
        client,
        `subscription ($id: ID!) { jobUpdated(id: $id) { ${api.fields} } }`,
        { id: started?.id },
      );
      expect(updates.errors).toEqual([]);
      const last = completed(updates.results.at(-1)?.jobUpdated);
      expect(last.attachments).toHaveLength(1);
    } finally {
      await client.dispose();
    }
  });

  it('setId, deleteId and deleteAllIds change what listIds shows', async () => {
    completed(await api.saveId({ idname: 'Bob2', wait: true }, face));
    const set = completed(await api.run('setId', { idname: 'alice , _ , alice+Bob2  --greedy', wait: true }));
    expect(set).toMatchObject({ verb: 'faceswap-setid', idname: 'alice,_,alice+Bob2 --greedy' });
    expect(stack.simulator.identities(channel).defaultId).toMatch(/alice/);

    completed(await api.run('deleteId', { idname: 'alice', wait: true }));
    expect((await api.listIds())?.identities).toEqual(['Bob2']);

    const all = completed(await api.deleteAllIds());
    expect(all.verb).toBe('faceswap-delall');
    const empty = completed(await api.listIds());
    expect(empty.identities).toEqual([]);
    expect(stack.simulator.identities(channel).names).toEqual([]);
  });
});

describe('refusals before a job is accepted (BAD_USER_INPUT)', () => {
  it('a name with other characters than letters and digits', async () => {
    const res = await api.saveIdResponse({ idname: 'bad name!' }, face);
    expect(api.firstError(res)).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'idname "bad name!" may contain only letters and digits (A-Z, a-z, 0-9)',
      extensions: { field: 'idname' },
    });
  });

  it('a name over 10 characters', async () => {
    const res = await api.saveIdResponse({ idname: 'abcdefghijk' }, face);
    expect(api.firstError(res)).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'idname "abcdefghijk" is 11 characters long; at most 10 are allowed',
    });
  });

  it('more names than an account can hold, in one swapId', async () => {
    const names = Array.from({ length: 21 }, (_, i) => `n${i}`).join(',');
    const res = await api.swapIdResponse({ idname: names }, scene);
    expect(api.firstError(res)).toMatchObject({ code: 'BAD_USER_INPUT', message: 'idname lists 21 ids; at most 20' });
  });

  it('a setId with an unknown flag', async () => {
    const res = await api.runResponse('setId', { idname: 'alice --fast' });
    expect(api.firstError(res)).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'unknown setid flag "--fast"; known flags: --greedy, --nogreedy',
    });
  });
});

describe("the bot's refusals fail the job with their own code", () => {
  it('an unknown name: IDENTITY_NOT_FOUND (swapId and deleteId)', async () => {
    const swap = await api.swapId({ idname: 'nobody', wait: true }, scene);
    expect(swap).toMatchObject({ status: 'FAILED', code: 'IDENTITY_NOT_FOUND', error: expect.stringMatching(/"nobody" not found/) });
    expect(JSON.parse(swap?.errorDetails ?? '{}')).toMatchObject({ reason: 'IDENTITY_NOT_FOUND', commandSent: true });
    const del = await api.run('deleteId', { idname: 'nobody', wait: true });
    expect(del).toMatchObject({ status: 'FAILED', code: 'IDENTITY_NOT_FOUND' });
  });

  it('more names than the bot swaps at once: TOO_MANY_IDENTITIES', async () => {
    completed(await api.saveId({ idname: 'carol', wait: true }, face));
    const job = await api.swapId({ idname: 'carol,carol,carol,carol,carol', wait: true }, scene);
    expect(job).toMatchObject({ status: 'FAILED', code: 'TOO_MANY_IDENTITIES', error: expect.stringMatching(/Too many ids \(5\)/) });
  });

  it('an image without a face: BOT_ERROR with reason NO_FACE', async () => {
    const job = await api.saveId({ idname: 'faceless', wait: true }, corruptImageBody(face));
    expect(job).toMatchObject({ status: 'FAILED', code: 'BOT_ERROR', error: expect.stringMatching(/No face detected/) });
    expect(JSON.parse(job?.errorDetails ?? '{}')).toMatchObject({ reason: 'NO_FACE' });
    expect(stack.simulator.identities(channel).names).not.toContain('faceless');
  });

  it('a 21st saved name: IDENTITY_LIMIT_REACHED (only the bot keeps the count)', async () => {
    completed(await api.deleteAllIds());
    for (let i = 0; i < 20; i++) completed(await api.saveId({ idname: `id${i}`, wait: true }, face));
    const job = await api.saveId({ idname: 'id20', wait: true }, face);
    expect(job).toMatchObject({ status: 'FAILED', code: 'IDENTITY_LIMIT_REACHED', error: expect.stringMatching(/at most 20 ids/) });
    // Saving a name again replaces it: not refused.
    completed(await api.saveId({ idname: 'id3', wait: true }, face));
    completed(await api.deleteAllIds());
  });
});

describe('the channel rule with two accounts', () => {
  let two: Stack;
  let client: IdentityClient;
  beforeAll(async () => {
    two = await startStack({ channels: 2, env: { API_TOKENS: TOKEN } });
    client = new IdentityClient(two.url, TOKEN);
  });
  afterAll(() => two.stop());

  it.each([
    ['listIds', 'listid'],
    ['deleteAllIds', 'delall'],
  ] as const)('%s without channel: CHANNEL_REQUIRED', async (mutation, command) => {
    const res = await client.argsResponse(mutation, {});
    expect(client.firstError(res)).toMatchObject({
      code: 'CHANNEL_REQUIRED',
      message: `/${command} needs a channel: 2 accounts are configured, and saved identities live in one Discord account`,
      extensions: { field: 'channel', accounts: 2 },
    });
    expect(res.status).toBe(200);
  });

  it('saveId without channel: CHANNEL_REQUIRED, and the upload is not kept', async () => {
    const res = await client.saveIdResponse({ idname: 'alice' }, face);
    expect(client.firstError(res)).toMatchObject({ code: 'CHANNEL_REQUIRED', message: expect.stringMatching(/^\/saveid needs a channel/) });
    expect((await client.jobs()).length).toBe(0);
  });

  it('with channel, the command runs on that account', async () => {
    const target = two.accounts[1]!.channelId;
    const job = completed(await client.saveId({ idname: 'dora', channel: target, wait: true }, face));
    expect(job.channel).toBe(target);
    expect(two.simulator.identities(target).names).toEqual(['dora']);
    expect(two.simulator.identities(two.accounts[0]!.channelId).names).toEqual([]);
    expect((await client.listIds({ channel: target }))?.identities).toEqual(['dora']);
  });
});

describe('on the Redis job store', () => {
  let onRedis: Stack;
  let client: IdentityClient;
  beforeAll(async () => {
    onRedis = await startStack({
      env: { API_TOKENS: TOKEN, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `test:${randomUUID()}:` },
    });
    client = new IdentityClient(onRedis.url, TOKEN);
  });
  afterAll(() => onRedis.stop());

  it('listIds keeps its names through the store, an empty list as [] (not null)', async () => {
    expect(completed(await client.listIds()).identities).toEqual([]);
    completed(await client.saveId({ idname: 'erin', wait: true }, face));
    const listed = completed(await client.listIds());
    expect(listed).toMatchObject({ identities: ['erin'], defaultIdentity: 'erin' });
  });
});
