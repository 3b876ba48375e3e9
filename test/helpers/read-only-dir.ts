/**
 * Makes a directory unwritable for this process, for "the store is down" tests. A non-root user
 * gets EACCES from chmod; root ignores permissions, so it gets a read-only bind mount (EROFS).
 * Returns the function that undoes it.
 */
import { execFile } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function makeReadOnly(dir: string): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) {
    await chmod(dir, 0o555);
    return () => chmod(dir, 0o755);
  }
  await run('mount', ['--bind', dir, dir]);
  await run('mount', ['-o', 'remount,bind,ro', dir]);
  return async () => {
    await run('umount', [dir]);
  };
}
