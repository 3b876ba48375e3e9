/**
 * Staged uploads: a command's images uploaded to its account's channel ahead of the command (while
 * the channel's previous command runs), so that when the channel frees only /interactions remains.
 * A staged upload is used only by the command it was made for, on its channel, while younger than
 * INFERRED.stagedUploadMaxAgeMs; otherwise the command uploads its images again. An unused one is
 * simply left: an attachment slot no command references sends nothing to the bot.
 */
import type { AccountSession } from './account-session.js';
import { COMMAND_SPECS, type OptionRole } from './command-specs.js';
import { INFERRED } from './protocol.js';
import type { CommandRun, ImageRole, StagedUploads, UploadedRef, UploadInput } from './types.js';
import { uploadFiles } from './uploads.js';

/** The command's images by role, in the order its options declare them. */
export function filesOf(command: CommandRun): [OptionRole, UploadInput][] {
  const byRole: Partial<Record<OptionRole, UploadInput>> = { source: command.source, target: command.target };
  return COMMAND_SPECS[command.command].options.flatMap((o): [OptionRole, UploadInput][] => {
    const file = byRole[o.role];
    return file ? [[o.role, file]] : [];
  });
}

/** Uploads the command's images to its channel: the refs by role. */
export async function uploadImages(
  session: AccountSession,
  command: CommandRun,
  signal: AbortSignal,
): Promise<Partial<Record<OptionRole, UploadedRef>>> {
  const { channel } = command.account;
  const files = filesOf(command);
  const refs = await uploadFiles(
    files.map(([, f]) => f),
    (body, s) => session.rest.attachmentSlots(channel, body, s),
    session.rest.agent,
    signal,
  );
  return Object.fromEntries(files.map(([role], i) => [role, refs[i]]));
}

export async function stageUploads(
  session: AccountSession,
  command: CommandRun,
  signal: AbortSignal,
  now: () => number,
): Promise<StagedUploads> {
  const refs = (await uploadImages(session, command, signal)) as Partial<Record<ImageRole, UploadedRef>>;
  return { jobId: command.jobId, channel: command.account.channel, refs, uploadedAt: now() };
}

/** The staged refs when they are this command's, on its channel, and young enough; else null (upload again). */
export function usableStaged(command: CommandRun, nowMs: number): Partial<Record<OptionRole, UploadedRef>> | null {
  const staged = command.staged;
  if (!staged || staged.jobId !== command.jobId || staged.channel !== command.account.channel) return null;
  if (nowMs - staged.uploadedAt >= INFERRED.stagedUploadMaxAgeMs) return null;
  const wanted = filesOf(command).map(([role]) => role);
  return wanted.every((role) => staged.refs[role as ImageRole] !== undefined) ? staged.refs : null;
}
