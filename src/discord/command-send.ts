/**
 * The send step of one command (command-job.ts): POST /interactions with a fresh nonce, the nonce
 * recorded first (hooks.onCommandSending), refreshing a stale command version once. Resolves with
 * the reply waiter of the command that went out; an answer that leaves it unclear whether Discord
 * ran it counts as sent (the bot's answer, or the job timeout, decides).
 */
import { DiscordAPIError, HTTPError, RateLimitError } from '@discordjs/rest';
import type { Logger } from 'pino';
import type { AccountSession } from './account-session.js';
import { COMMAND_SPECS } from './command-specs.js';
import { commandInvokeBody } from './interaction.js';
import type { JobScope } from './job-scope.js';
import type { ReplyWaiter } from './reply-matcher.js';
import { isInvalidCommandVersion, restFailure } from './rest-errors.js';
import type { CommandHooks, CommandRun } from './types.js';

export type Step = 'gateway' | 'command index' | 'upload' | 'POST /interactions' | 'reply';

/** Where a command is (for its failure) and what it registered (disposed when it ends). */
export interface SendState {
  step: Step;
  waiter: ReplyWaiter | undefined;
  readonly nonces: string[];
}

/** What of a job's dependencies (command-job.ts) the send uses. */
export interface SendDeps {
  session: AccountSession;
  now: () => number;
  newNonce: () => string;
}

export interface Sender {
  deps: SendDeps;
  command: CommandRun;
  scope: JobScope;
  hooks: CommandHooks;
  log: Logger;
  state: SendState;
  commandSent(): boolean;
}

type InvokeInput = Parameters<typeof commandInvokeBody>[0];

export async function sendCommand(c: Sender, entry: InvokeInput['command'], attachments: InvokeInput['attachments']): Promise<ReplyWaiter> {
  const { deps, command, scope, hooks, log, state } = c;
  const { session } = deps;
  const { channel, server } = command.account;
  const name = command.command;
  state.step = 'POST /interactions';
  for (let attempt = 1; ; attempt += 1) {
    const sessionId = await scope.guard(session.gateway.waitReady(scope.signal));
    const nonce = deps.newNonce();
    state.nonces.push(nonce);
    state.waiter?.dispose();
    const sentAtMs = deps.now();
    const waiter = session.matcher.register({ nonce, channelId: channel, sentAtMs, answer: COMMAND_SPECS[name].answer });
    state.waiter = waiter;
    const texts = { options: command.options, idname: command.idname };
    const body = commandInvokeBody({ name, command: entry, guildId: server, channelId: channel, sessionId, nonce, attachments, texts });
    scope.check();
    await scope.guard(Promise.resolve(hooks.onCommandSending?.({ nonce, interactionId: null, sentAt: new Date(sentAtMs).toISOString() })));
    scope.check();
    if (hooks.onInteractionId) waiter.onInteractionId((id) => hooks.onInteractionId?.(id));
    try {
      await scope.guard(session.rest.invoke(body, scope.signal));
    } catch (err) {
      const sentButUnclear = !scope.endReason && session.rest.invokeTrace(nonce).sent && isAmbiguousAnswer(err);
      if (sentButUnclear) {
        // Discord may have run it (a 5xx after the bot started, a lost or garbled 204): the bot's
        // answer, or the job timeout, decides. Sending again could run the command twice.
        log.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'POST /interactions got no clear answer; following the command to its outcome',
        );
        waiter.markSent();
        return waiter;
      }
      if (scope.endReason || attempt > 1 || !isInvalidCommandVersion(err)) {
        throw restFailure(err, { step: state.step, commandSent: c.commandSent(), invoke: session.rest.invokeTrace(nonce) });
      }
      log.info('command version is stale; refreshing the command index once');
      state.step = 'command index';
      entry = await scope.guard(session.commands.command(server, name, scope.signal, true));
      state.step = 'POST /interactions';
      continue;
    }
    waiter.markSent();
    return waiter;
  }
}

/**
 * After a POST /interactions that reached the wire, whether its answer leaves it open if the command
 * ran: Discord's own refusals (a parsed 4xx, a 429) say it did not; a 5xx, a timeout, a dropped
 * connection or a 2xx body that does not parse say nothing.
 */
function isAmbiguousAnswer(err: unknown): boolean {
  if (err instanceof RateLimitError) return false;
  if (err instanceof DiscordAPIError || err instanceof HTTPError) return err.status >= 500;
  return true;
}
