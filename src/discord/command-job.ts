/**
 * One bot command on one account (docs/discord-protocol.md), the same steps for every command:
 * gateway ready → command index → uploads (the command's images, if any) → POST /interactions
 * (refreshing a stale command version once) → the bot's answer or a typed failure. What differs per
 * command is data (command-specs.ts): its options and how its answer reads. Every Discord call gets
 * the job's signal; the job ends in exactly one result or DriverError. `followCommand` waits for
 * the answer to a command sent earlier, through the same reply path.
 */
import type { Logger } from 'pino';
import type { BotCommand } from '../jobs/commands.js';
import type { Clock } from '../timing/clock.js';
import type { AccountSession } from './account-session.js';
import { settle } from './command-answer.js';
import { sendCommand, type Sender, type SendState, type Step } from './command-send.js';
import { COMMAND_SPECS } from './command-specs.js';
import { SessionClosedError } from './gateway-close.js';
import { pollHistory } from './history-fallback.js';
import { JobScope, ScopeEndedError } from './job-scope.js';
import type { ReplyWaiter } from './reply-matcher.js';
import { restFailure } from './rest-errors.js';
import { DriverError } from './types.js';
import type { CommandResult, CommandRun, FollowCommand, CommandHooks } from './types.js';
import { uploadImages, usableStaged } from './staged-uploads.js';
import { probeProxy } from './proxy.js';
import { GatewayFatalError } from './user-gateway.js';
import { signalField } from './account-signals.js';

export interface JobDeps {
  session: AccountSession;
  timeoutMs: number;
  clock: Clock;
  now: () => number;
  newNonce: () => string;
  /** History fallback after a non-resumable gateway drop. */
  historyPollMs: number;
  historyLimit: number;
  /** How long a command waits for the account's gateway session before the job moves on. */
  gatewayReadyMs: number;
}

export async function runCommand(
  deps: JobDeps,
  command: CommandRun,
  signal: AbortSignal,
  hooks: CommandHooks = {},
): Promise<CommandResult> {
  const { session } = deps;
  const { channel, server } = command.account;
  const name = command.command;
  const log = session.logger.child({ job: command.jobId, channel, command: name });
  const scope = new JobScope(signal, deps.timeoutMs, deps.clock);
  const nonces: string[] = [];
  const commandSent = (): boolean => nonces.some((n) => session.rest.invokeTrace(n).sent);
  const state: SendState = { step: 'gateway', waiter: undefined, nonces };
  const sender: Sender = { deps, command, scope, hooks, log, state, commandSent };
  const started = deps.now();
  try {
    scope.check();
    await gatewayReady(session, scope, deps.gatewayReadyMs, deps.clock);
    state.step = 'command index';
    const entry = await scope.guard(session.commands.command(server, name, scope.signal));
    state.step = 'upload';
    const staged = usableStaged(command, deps.now());
    if (command.staged && !staged) log.info('staged uploads not usable (another job, channel, or too old): uploading again');
    const attachments = staged ?? (await scope.guard(uploadImages(session, command, scope.signal)));
    const waiter = await sendCommand(sender, entry, attachments);
    state.step = 'reply';
    const result = await awaitReply({ session, scope, waiter, channel, log, deps, name }, commandSent);
    log.info({ ms: deps.now() - started, message: result.messageId }, `${name} completed`);
    return result;
  } catch (err) {
    const failure = await throughProxy(
      session,
      toFailure(err, { scope, step: state.step, commandSent: commandSent(), waiter: state.waiter, session, timeoutMs: deps.timeoutMs }),
    );
    log.warn(
      {
        code: failure.code,
        reason: failure.reason,
        commandSent: failure.commandSent,
        signal: failure.signal?.id,
        ms: deps.now() - started,
      },
      `${name} failed: ${failure.message}`,
    );
    throw failure;
  } finally {
    scope.dispose();
    state.waiter?.dispose();
    for (const n of nonces) session.rest.forget(n);
  }
}

/**
 * Follows a command sent earlier (by another holder, or before this holder's restart) with the
 * same reply matching as runCommand after its send: its nonce, its interaction id, the bot's messages
 * in the channel history. The job timeout counts from when it was sent (at least one history look).
 */
export async function followCommand(
  deps: JobDeps,
  command: FollowCommand,
  signal: AbortSignal,
  hooks: CommandHooks = {},
): Promise<CommandResult> {
  const { session } = deps;
  const { channel } = command.account;
  const name = command.kind ?? 'picsi';
  const log = session.logger.child({ job: command.jobId, channel, nonce: command.command.nonce });
  const sentAtMs = Date.parse(command.command.sentAt);
  const remainingMs = Math.max(sentAtMs + deps.timeoutMs - deps.now(), 2 * deps.historyPollMs);
  const scope = new JobScope(signal, remainingMs, deps.clock);
  let step: Step = 'gateway';
  let waiter: ReplyWaiter | undefined;
  try {
    scope.check();
    await scope.guard(session.gateway.waitReady(scope.signal));
    step = 'reply';
    waiter = session.matcher.register({
      nonce: command.command.nonce,
      channelId: channel,
      sentAtMs,
      followed: { interactionId: command.command.interactionId },
      answer: COMMAND_SPECS[name].answer,
    });
    if (hooks.onInteractionId && !command.command.interactionId) waiter.onInteractionId((id) => hooks.onInteractionId?.(id));
    log.info({ interactionId: command.command.interactionId }, 'following a command sent earlier');
    return await awaitReply({ session, scope, waiter, channel, log, deps, name }, () => true);
  } catch (err) {
    const failure = toFailure(err, { scope, step, commandSent: true, waiter, session, timeoutMs: remainingMs });
    log.warn({ code: failure.code, reason: failure.reason }, `following the command failed: ${failure.message}`);
    throw failure;
  } finally {
    scope.dispose();
    waiter?.dispose();
  }
}

/**
 * Waits for the account's gateway session, at most `waitMs`: a session that is down moves the job to
 * another account (GATEWAY_UNAVAILABLE, or PROXY_UNREACHABLE when the account's proxy does not answer)
 * instead of holding it until the job timeout. A proxy that refuses connections fails at once.
 */
async function gatewayReady(session: AccountSession, scope: JobScope, waitMs: number, clock: Clock): Promise<void> {
  if (session.gateway.ready) return;
  if (session.proxy) {
    const probe = await scope.guard(probeProxy(session.proxy));
    if (!probe.reachable) throw proxyDown(probe);
  }
  const bound = AbortSignal.any([scope.signal, clock.timeoutSignal(waitMs)]);
  try {
    await scope.guard(session.gateway.waitReady(bound));
  } catch (err) {
    if (scope.endReason || err instanceof GatewayFatalError || err instanceof ScopeEndedError) throw err;
    throw new DriverError('DISCORD_ERROR', `The account's gateway session was not ready within ${waitMs} ms`, {
      commandSent: false,
      signal: { id: 'GATEWAY_UNAVAILABLE', evidence: { gateway: session.gateway.state, waitedMs: waitMs } },
      details: { step: 'gateway', gateway: session.gateway.state },
    });
  }
}

const proxyDown = (probe: { error: string; proxy: string }) =>
  new DriverError('DISCORD_ERROR', `The account's proxy ${probe.proxy} is unreachable (${probe.error})`, {
    commandSent: false,
    signal: { id: 'PROXY_UNREACHABLE', evidence: { proxy: probe.proxy, error: probe.error } },
    details: { step: 'proxy', proxy: probe.proxy, error: probe.error },
  });

/**
 * A failure without an answer of Discord's (no status: a connection error, a gateway that never came
 * up) on an account with a proxy: the proxy is checked, and when it does not answer, that is the cause.
 */
async function throughProxy(session: AccountSession, failure: DriverError): Promise<DriverError> {
  const unanswered = failure.code === 'DISCORD_ERROR' && (failure.signal?.id === 'GATEWAY_UNAVAILABLE' || !hasStatus(failure.details));
  if (!session.proxy || failure.commandSent || !unanswered || failure.signal?.id === 'PROXY_UNREACHABLE') return failure;
  const probe = await probeProxy(session.proxy);
  return probe.reachable ? failure : proxyDown(probe);
}

const hasStatus = (details: unknown) => typeof details === 'object' && details !== null && 'status' in details;

interface ReplyContext {
  session: AccountSession;
  scope: JobScope;
  waiter: ReplyWaiter;
  channel: string;
  log: Logger;
  deps: JobDeps;
  name: BotCommand;
}

/** The bot's answer to a sent command: gateway events, and the channel history once they were lost. */
async function awaitReply(c: ReplyContext, commandSent: () => boolean): Promise<CommandResult> {
  const { session, scope, waiter, log, deps } = c;
  waiter.onOrphaned(() => {
    log.warn("the command's gateway events may be lost; looking in channel history");
    pollHistory(waiter, {
      fetchMessages: (s) => session.rest.messages(c.channel, deps.historyLimit, s),
      pollMs: deps.historyPollMs,
      clock: deps.clock,
      signal: scope.signal,
      logger: log,
    }).catch((err: unknown) => log.warn({ err }, 'channel history fallback failed'));
  });
  const outcome = await scope.guard(waiter.outcome);
  return settle(outcome, commandSent(), c.name);
}

interface FailureContext {
  scope: JobScope;
  step: Step;
  commandSent: boolean;
  waiter: ReplyWaiter | undefined;
  session: AccountSession;
  timeoutMs: number;
}

function toFailure(err: unknown, c: FailureContext): DriverError {
  const end = c.scope.endReason ?? (err instanceof ScopeEndedError ? err.end : undefined);
  if (end === 'aborted' || err instanceof SessionClosedError) {
    return new DriverError('ABORTED', `Job aborted during ${c.step}`, { commandSent: c.commandSent, details: { step: c.step } });
  }
  if (end === 'timeout') {
    const progress = c.step === 'reply' ? c.waiter?.progress() : undefined;
    return new DriverError('TIMEOUT', `No final reply within ${c.timeoutMs} ms (during ${c.step})`, {
      commandSent: c.commandSent,
      details: { step: c.step, timeoutMs: c.timeoutMs, gateway: c.session.gateway.state, ...progress },
    });
  }
  if (err instanceof GatewayFatalError) {
    return new DriverError(
      err.unauthorized ? 'DISCORD_UNAUTHORIZED' : 'DISCORD_ERROR',
      `Discord gateway refused the account: ${err.message}`,
      {
        commandSent: c.commandSent,
        ...signalField(err),
        details: { closeCode: err.closeCode, closeReason: err.closeReason },
      },
    );
  }
  return restFailure(err, { step: c.step, commandSent: c.commandSent });
}
