/**
 * Two accounts, a captcha on one (the simulator answers its writes with Discord's captcha body):
 * every job completes on the other, the first shows NEEDS_PERSON with Discord's evidence, exactly one
 * signed alert reaches ACCOUNT_ALERT_URL, and resumeAccount refuses while the captcha persists and
 * puts the account back once it is cleared (a second alert says so). A job pinned to the account
 * fails with ACCOUNT_UNAVAILABLE and its state; a new one pinned there is refused.
 */
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newSecret, startReceiver, type Receiver } from '../callbacks/helpers.js';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { account, ACCOUNT_FIELDS, mutate, picsi, runPicsi, until } from './account-helpers.js';

let png: Buffer;
let stack: Stack | undefined;
let receiver: Receiver | undefined;
beforeAll(async () => {
  png = await makePng(32, 32);
});
afterEach(async () => {
  await stack?.stop();
  await receiver?.close();
  stack = undefined;
  receiver = undefined;
});

async function twoAccounts(secret: string) {
  receiver = await startReceiver();
  stack = await startStack({
    channels: 2,
    botDelayMs: 300,
    env: { ACCOUNT_ALERT_URL: receiver.url, CALLBACK_SECRET: secret, CALLBACK_ALLOW_HOSTS: '127.0.0.1' },
  });
  const [bad, good] = stack.accounts as [(typeof stack.accounts)[0], (typeof stack.accounts)[0]];
  return { stack, receiver, bad, good };
}

describe('a captcha on one of two accounts', () => {
  it('moves every job to the other, shows the captcha with its evidence, alerts once, and resumes only once cleared', async () => {
    const secret = newSecret();
    const { stack, receiver, bad, good } = await twoAccounts(secret);
    stack.simulator.setAccountFault(bad.channelId, 'captcha');

    // Submitted together, so both channels claim: the bad one fails before sending and hands its job back.
    const jobs = await Promise.all(Array.from({ length: 6 }, () => runPicsi(stack.url, png)));
    for (const job of jobs) expect(job).toMatchObject({ status: 'COMPLETED', channel: good.channelId, code: null });
    expect(stack.simulator.interactionsLog(bad.channelId)).toHaveLength(0);
    expect(stack.simulator.requests.some((r) => r.channelId === bad.channelId && r.status === 400)).toBe(true);

    const held = await account(stack.url, bad.channelId);
    expect(held).toMatchObject({ enabled: false, health: { state: 'NEEDS_PERSON', reason: 'CAPTCHA', until: null } });
    expect(held.health.message).toContain('solve the captcha');
    expect(JSON.parse(held.health.evidence!)).toMatchObject({
      status: 400,
      captcha_key: ['captcha-required'],
      captcha_service: 'hcaptcha',
      route: 'upload',
    });

    await until(() => receiver.requests.length >= 1, 'the alert');
    const [alert] = receiver.requests;
    // The signature verifies with the shared secret (Standard Webhooks), and says what happened and what to do.
    const verified = new Webhook(secret).verify(alert!.body, alert!.headers as Record<string, string>) as Record<string, unknown>;
    expect(verified).toMatchObject({
      type: 'account.needs_person',
      channel: bad.channelId,
      state: 'NEEDS_PERSON',
      reason: 'CAPTCHA',
      evidence: { status: 400, captcha_key: ['captcha-required'] },
    });
    expect(verified['action']).toContain('solve the captcha');

    const refused = await mutate(stack.url, `mutation ($c: String!) { resumeAccount(channel: $c) { channel } }`, { c: bad.channelId });
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'ACCOUNT_UNAVAILABLE' } });
    expect(refused.body.errors?.[0]?.message).toMatch(/^resumeAccount refused: upload: Discord asks this account for a captcha/);
    expect((await account(stack.url, bad.channelId)).health.state).toBe('NEEDS_PERSON');

    stack.simulator.setAccountFault(bad.channelId, null);
    const resumed = await mutate<{ resumeAccount: { health: { state: string } } }>(
      stack.url,
      `mutation ($c: String!) { resumeAccount(channel: $c) { ${ACCOUNT_FIELDS} } }`,
      { c: bad.channelId },
    );
    expect(resumed.body.data?.resumeAccount.health.state).toBe('ACTIVE');
    expect(await runPicsi(stack.url, png, bad.channelId)).toMatchObject({ status: 'COMPLETED', channel: bad.channelId });

    await until(() => receiver.requests.length >= 2, 'the recovery alert');
    expect(JSON.parse(receiver.requests[1]!.body)).toMatchObject({ type: 'account.recovered', channel: bad.channelId, state: 'ACTIVE' });
    // One alert when it entered the state, one when it left it: no more.
    expect(receiver.requests).toHaveLength(2);
  });

  it('a job pinned to the account fails with its state; a new one pinned there is refused at once', async () => {
    const { stack, bad, good } = await twoAccounts(newSecret());
    stack.simulator.setAccountFault(bad.channelId, 'captcha');
    const pinned = await runPicsi(stack.url, png, bad.channelId);
    expect(pinned).toMatchObject({ status: 'FAILED', code: 'ACCOUNT_UNAVAILABLE', channel: bad.channelId });
    expect(pinned.error).toContain('needs a person (CAPTCHA)');
    expect(JSON.parse(pinned.errorDetails!)).toMatchObject({ state: 'NEEDS_PERSON', reason: 'CAPTCHA', evidence: { status: 400 } });

    const refused = await picsi(stack.url, png, { channel: bad.channelId });
    expect(refused.body.errors?.[0]).toMatchObject({
      extensions: { code: 'ACCOUNT_UNAVAILABLE', channel: bad.channelId, state: 'NEEDS_PERSON', reason: 'CAPTCHA' },
    });
    // The other account is untouched.
    expect(await runPicsi(stack.url, png)).toMatchObject({ status: 'COMPLETED', channel: good.channelId });
  });
});
