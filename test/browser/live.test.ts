/**
 * The page at / when things go away, in Chromium. The server restarts with the simulator gone (a
 * new one in its place, as after a restart with real Discord whose CDN links expired): the jobs
 * done before still show their thumbnails and download, from our stored copy. The connection
 * drops while a job runs: the page says it is reconnecting, and once back it shows the job as it
 * ended meanwhile.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../helpers/graphql-http.js';
import { makeImage } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { blockNonLoopback, launchChromium, type Browser } from './chromium.js';
import { startDropProxy, type DropProxy } from './drop-proxy.js';
import { faceInput, history, imagesLoaded, jobStatus, swapButton, swapImages, targetInput, waitForJob } from './page-driver.js';

let dir: string;
let images: { face: string; target: string };
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'picsi-live-'));
  images = { face: join(dir, 'face.png'), target: join(dir, 'target.jpg') };
  writeFileSync(images.face, await makeImage(256, 256, 'png', '#d9a27a'));
  writeFileSync(images.target, await makeImage(480, 320, 'jpeg', '#4a7bd0'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Attachments {
  jobs: { edges: { node: { id: string; attachments: { url: string; download: { url: string } | null }[] } }[] };
}
const ATTACHMENTS = '{ jobs(first: 10) { edges { node { id attachments { url download { url } } } } } }';

describe('after a restart with the simulator gone', () => {
  let browser: Browser;
  let second: Stack | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await second?.stop();
  });

  it('the thumbnails and downloads of earlier jobs still work, from our stored copy', async () => {
    const dataDir = join(dir, 'data');
    const first = await startStack({ botDelayMs: 100, env: { DATA_DIR: dataDir } });
    const { page } = browser;
    await page.goto(first.server.pageUrl);
    await swapImages(page, images.face, images.target);
    const before = await postJson<Attachments>(first.url, ATTACHMENTS);
    const cdnUrl = before.body.data!.jobs.edges[0]!.node.attachments[0]!.url;
    await first.stop(); // and its simulator, with the CDN the bot's reply pointed at

    second = await startStack({ env: { DATA_DIR: dataDir } });
    await expect(fetch(cdnUrl)).rejects.toThrow(); // Discord's copy is gone
    const blocked = await blockNonLoopback(browser.context);
    await page.goto(second.server.pageUrl);
    const thumbs = history(page).getByRole('img');
    await expect.poll(() => imagesLoaded(thumbs)).toEqual([true]);
    const src = await thumbs.first().getAttribute('src');
    expect(new URL(src!, second.server.pageUrl).origin).toBe(new URL(second.server.pageUrl).origin);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      history(page).first().getByRole('link', { name: 'Download' }).click(),
    ]);
    const saved = readFileSync(await download.path());
    const stored = Buffer.from(await (await fetch(new URL(src!, second.server.pageUrl))).arrayBuffer());
    expect(saved.length).toBeGreaterThan(0);
    expect(saved.equals(stored)).toBe(true);
    expect(blocked).toEqual([]);
  });
});

describe('when the live connection drops', () => {
  let stack: Stack;
  let proxy: DropProxy;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({ botDelayMs: 100 });
    proxy = await startDropProxy(Number(new URL(stack.url).port));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await stack?.stop();
  });

  it('says it is reconnecting, and once back shows how the job ended meanwhile', async () => {
    const { page } = browser;
    await page.goto(`http://127.0.0.1:${proxy.port}/`);
    const notice = page.getByRole('status').filter({ hasText: 'Reconnecting' });
    stack.simulator.script(stack.accounts[0]!.channelId, { kind: 'success', delayMs: 1500 });
    await faceInput(page).setInputFiles(images.face);
    await targetInput(page).setInputFiles(images.target);
    await swapButton(page).click();
    await waitForJob(page, 'STARTED');
    const id = await page.locator('#job-id').textContent();

    proxy.drop();
    await expect.poll(() => notice.isVisible()).toBe(true);
    expect(await notice.textContent()).toBe('Reconnecting to the server… live updates are paused; your jobs go on.');
    await expect
      .poll(
        async () =>
          (await postJson<{ job: { status: string } }>(stack.url, 'query ($id: ID!) { job(id: $id) { status } }', { id })).body.data?.job
            .status,
        {
          timeout: 10_000,
        },
      )
      .toBe('COMPLETED');
    expect(await jobStatus(page).getAttribute('data-status')).toBe('STARTED');

    proxy.restore();
    await waitForJob(page, 'COMPLETED');
    await expect.poll(() => notice.isVisible()).toBe(false);
    expect(await page.locator('#job-id').textContent()).toBe(id);
  });
});
