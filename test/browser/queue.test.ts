/**
 * A job waiting behind three others, on the page at / in Chromium: its place in line is pushed as
 * each job ahead starts, so the page counts it down to 1 before the job starts. The credits left
 * today are shown under the swap button, and go down after a swap.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, submitPicsi } from '../helpers/graphql-http.js';
import { makeImage, makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { launchChromium, type Browser } from './chromium.js';
import { faceInput, recordStatuses, swapButton, targetInput, waitForJob } from './page-driver.js';

const AHEAD_MS = 800;

describe('the queue position on the page', () => {
  let simulator: DiscordSimulator;
  let stack: Stack;
  let browser: Browser;
  let images: { face: string; target: string };
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'picsi-queue-'));
    images = { face: join(dir, 'face.png'), target: join(dir, 'target.jpg') };
    writeFileSync(images.face, await makeImage(128, 128, 'png', '#d9a27a'));
    writeFileSync(images.target, await makeImage(240, 160, 'jpeg', '#4a7bd0'));
    simulator = await DiscordSimulator.start({ botDelayMs: 100 });
    const account = simulator.createAccount({ credits: 1000 });
    stack = await startStack({ simulator, accounts: [account], env: { CREDITS_PER_DAY: '1000' } });
    browser = await launchChromium();
    await browser.page.goto(stack.server.pageUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await simulator?.close();
  });

  const creditsText = () => browser.page.locator('#credits-left').textContent();

  it('shows the credits left today', async () => {
    await expect
      .poll(creditsText)
      .toBe(
        'Credits left today on this server: 1000 of 1000, enough for about 333 swaps (3 credits each; a GIF costs more). They come back at 00:00 UTC.',
      );
  });

  it('counts a job behind three others down to 1, then starts it', async () => {
    const { page } = browser;
    const channel = stack.accounts[0]!.channelId;
    simulator.script(channel, ...Array.from({ length: 4 }, () => ({ kind: 'success' as const, delayMs: AHEAD_MS })));
    const png = await makePng(16, 16);
    const first = await submitPicsi(stack.url, png);
    // The first holds the channel; three more wait in line ahead of the page's job.
    await expect
      .poll(
        async () =>
          (await postJson<{ job: { status: string } }>(stack.url, 'query ($id: ID!) { job(id: $id) { status } }', { id: first })).body.data
            ?.job.status,
      )
      .toBe('STARTED');
    for (let i = 0; i < 3; i++) await submitPicsi(stack.url, png);

    await faceInput(page).setInputFiles(images.face);
    await targetInput(page).setInputFiles(images.target);
    const seen = await recordStatuses(page);
    await swapButton(page).click();
    await waitForJob(page, 'COMPLETED', 30_000);

    const positions = seen.texts.map((t) => /position (\d+) in line/.exec(t)?.[1]).filter((p): p is string => p !== undefined);
    expect(positions.filter((p, i) => p !== positions[i - 1])).toEqual(['4', '3', '2', '1']);
    const states = seen.statuses.filter((s, i) => s !== seen.statuses[i - 1]);
    expect(states).toEqual(['QUEUED', 'STARTED', 'COMPLETED']);
  });

  it('shows fewer credits left after the swaps', async () => {
    // Five swaps of 3 credits each; the page reads them again when its job ends.
    await expect.poll(creditsText).toMatch(/^Credits left today on this server: 985 of 1000/);
  });
});
