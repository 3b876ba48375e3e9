/**
 * The page at / driven the way a person does: controls found by their labels and roles (never by
 * ids), files picked through the labelled file inputs. Reads back what the page shows.
 */
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';

export const faceInput = (page: Page): Locator => page.getByLabel('Face', { exact: true });
export const targetInput = (page: Page): Locator => page.getByLabel('Target', { exact: true });
export const swapButton = (page: Page): Locator => page.getByRole('button', { name: 'Swap faces' });
export const jobStatus = (page: Page): Locator => page.locator('#job-status');
export const savedFaces = (page: Page): Locator => page.getByRole('list', { name: 'Saved faces' });
export const history = (page: Page): Locator => page.locator('#history > li');

/** Whether every <img> matched has loaded a picture (not a broken link). */
export async function imagesLoaded(images: Locator): Promise<boolean[]> {
  return images.evaluateAll((nodes) => nodes.map((n) => n instanceof HTMLImageElement && n.complete && n.naturalWidth > 0));
}

/** Records every state the job panel shows (its data-status), from now on. */
export async function recordStatuses(page: Page): Promise<{ statuses: string[]; texts: string[] }> {
  const seen = { statuses: [] as string[], texts: [] as string[] };
  const name = `recordStatus${Math.random().toString(36).slice(2)}`;
  await page.exposeFunction(name, (status: string, text: string) => {
    seen.statuses.push(status);
    seen.texts.push(text);
  });
  await page.evaluate((fn) => {
    const status = document.getElementById('job-status')!;
    const report = () =>
      (window as unknown as Record<string, (s: string, t: string) => void>)[fn]!(status.dataset['status'] ?? '', status.textContent ?? '');
    new MutationObserver(report).observe(status, { attributes: true, childList: true, characterData: true, subtree: true });
  }, name);
  return seen;
}

/** Waits until the job panel shows job `status` with a loaded result picture (when COMPLETED). */
export async function waitForJob(page: Page, status: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const shown = document.getElementById('job-status')?.dataset['status'];
      if (shown !== expected) return false;
      if (expected !== 'COMPLETED') return true;
      const image = document.getElementById('result-image') as HTMLImageElement | null;
      return image !== null && image.complete && image.naturalWidth > 0;
    },
    status,
    { timeout },
  );
}

/** Swaps `face` onto `target` through the form; resolves once the result is shown. */
export async function swapImages(page: Page, face: string, target: string): Promise<{ statuses: string[]; texts: string[] }> {
  await faceInput(page).setInputFiles(face);
  await targetInput(page).setInputFiles(target);
  await expect.poll(() => page.locator('[aria-invalid="true"]').count()).toBe(0);
  const previous = await page.locator('#job-id').textContent();
  const seen = await recordStatuses(page);
  await swapButton(page).click();
  await expect.poll(() => page.locator('#job-id').textContent()).not.toBe(previous);
  await waitForJob(page, 'COMPLETED');
  return seen;
}

/** The text of an error shown for the control labelled `label` (its aria-describedby error). */
export async function fieldError(control: Locator): Promise<string> {
  return control.evaluate((node) => {
    const ids = (node.getAttribute('aria-describedby') ?? '').split(' ');
    const box = ids.map((id) => document.getElementById(id)).find((e) => e?.classList.contains('field-error'));
    return box && !box.hidden ? (box.textContent ?? '') : '';
  });
}
