/**
 * One /picsi on one account (protocol.md §2): gateway ready → command index → uploads → POST
 * /interactions (refreshing a stale command version once) → the bot's answer or a typed failure.
 * Every Discord call gets the job's signal; the job ends in exactly one result or DriverError.
 */
import type { APIAttachment } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import type { JobAttachment } from '../jobs/model.js';
import type { AccountSession } from './account-session.js';
import { SessionClosedError } from './gateway-close.js';
import { pollHistory } from './history-fallback.js';
import { picsiInvokeBody } from './interaction.js';
import { JobScope, ScopeEndedError } from './job-scope.js';
import type { ReplyOutcome, ReplyWaiter } from './reply-matcher.js';
import { isInvalidCommandVersion, restFailure } from './rest-errors.js';
import { DriverError } from './types.js';
import type { PicsiCommand, PicsiHooks, PicsiResult } from './types.js';
import { uploadFiles } from './uploads.js';
import { GatewayFatalError } from './user-gateway.js';

export interface JobDeps {
  session: AccountSession;
  timeoutMs: number;
  now: () => number;
  newNonce: () => string;
  /** History fallback after a non-resumable gateway drop. */
  historyPollMs: number;
  historyLimit: number;
}

type Step = 'gateway' | 'command index' | 'upload' | 'POST /interactions' | 'reply';

export async function runPicsi(deps: JobDeps, command: PicsiCommand, signal: AbortSignal, hooks: PicsiHooks = {}): Promise<PicsiResult> {
  const { session } = deps;
  const { channel, server } = command.account;
  const log = session.logger.child({ job: command.jobId, channel });
  const scope = new JobScope(signal, deps.timeoutMs);
  const nonces: string[] = [];
  const commandSent = (): boolean => nonces.some((n) => session.rest.invokeTrace(n).sent);
  let step: Step = 'gateway';
  let waiter: ReplyWaiter | undefined;
  const started = deps.now();
  try {
    scope.check();
    await scope.guard(session.gateway.waitReady(scope.signal));
    step = 'command index';
    let picsi = await scope.guard(session.commands.picsi(server, scope.signal));
    step = 'upload';
    const requestSlots = (body: Parameters<typeof session.rest.attachmentSlots>[1], s: AbortSignal) => session.rest.attachmentSlots(channel, body, s);
    const attachments = await scope.guard(uploadFiles([command.source, command.target], requestSlots, session.rest.agent, scope.signal));
    step = 'POST /interactions';
    for (let attempt = 1; ; attempt += 1) {
      const sessionId = await scope.guard(session.gateway.waitReady(scope.signal));
      const nonce = deps.newNonce();
      nonces.push(nonce);
      waiter?.dispose();
      waiter = session.matcher.register({ nonce, channelId: channel, sentAtMs: deps.now() });
      const body = picsiInvokeBody({ command: picsi, guildId: server, channelId: channel, sessionId, nonce, attachments, options: command.options });
      scope.check();
      hooks.onCommandSending?.();
      try {
        await scope.guard(session.rest.invoke(body, scope.signal));
      } catch (err) {
        if (scope.endReason || attempt > 1 || !isInvalidCommandVersion(err)) {
          throw restFailure(err, { step, commandSent: commandSent(), invoke: session.rest.invokeTrace(nonce) });
        }
        log.info('command version is stale; refreshing the command index once');
        step = 'command index';
        picsi = await scope.guard(session.commands.picsi(server, scope.signal, true));
        step = 'POST /interactions';
        continue;
      }
      waiter.markSent();
      break;
    }
    step = 'reply';
    const sent = waiter;
    sent.onOrphaned(() => {
      log.warn('gateway session lost before the reply; looking in channel history');
      void pollHistory(sent, {
        fetchMessages: (s) => session.rest.messages(channel, deps.historyLimit, s),
        pollMs: deps.historyPollMs,
        signal: scope.signal,
        logger: log,
      });
    });
    const outcome = await scope.guard(sent.outcome);
    const result = settle(outcome, commandSent());
    log.info({ ms: deps.now() - started, message: result.messageId }, 'picsi completed');
    return result;
  } catch (err) {
    const failure = toFailure(err, { scope, step, commandSent: commandSent(), waiter, session, timeoutMs: deps.timeoutMs });
    log.warn({ code: failure.code, reason: failure.reason, commandSent: failure.commandSent, ms: deps.now() - started }, `picsi failed: ${failure.message}`);
    throw failure;
  } finally {
    scope.dispose();
    waiter?.dispose();
    for (const n of nonces) session.rest.forget(n);
  }
}

/** The final outcome of a sent command: a result, or the bot's / Discord's refusal. */
function settle(outcome: ReplyOutcome, commandSent: boolean): PicsiResult {
  switch (outcome.kind) {
    case 'reply': {
      const { message, verdict } = outcome;
      if (verdict.kind === 'botError') {
        throw new DriverError('BOT_ERROR', `The bot refused the job: ${verdict.text || verdict.reason}`, {
          commandSent,
          reason: verdict.reason,
          details: { reason: verdict.reason, text: verdict.text },
        });
      }
      return {
        messageId: message.id,
        content: message.content ?? '',
        attachments: verdict.attachments.map(toJobAttachment),
        timestamp: message.timestamp ?? new Date().toISOString(),
        interactionId: outcome.interactionId,
      };
    }
    case 'interactionFailure':
      throw new DriverError('INTERACTION_FAILED', `Discord reported INTERACTION_FAILURE (reason_code ${String(outcome.reasonCode)})`, {
        commandSent,
        details: { reason_code: outcome.reasonCode, interactionId: outcome.interactionId },
      });
    case 'sessionEnded':
      throw outcome.error;
  }
}

export function toJobAttachment(a: APIAttachment): JobAttachment {
  return {
    id: a.id,
    contentType: a.content_type ?? null,
    filename: a.filename,
    url: a.url,
    proxyUrl: a.proxy_url ?? null,
    size: a.size,
    width: a.width ?? null,
    height: a.height ?? null,
  };
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
    return new DriverError(err.unauthorized ? 'DISCORD_UNAUTHORIZED' : 'DISCORD_ERROR', `Discord gateway refused the account: ${err.message}`, {
      commandSent: c.commandSent,
      disableAccount: err.unauthorized,
      details: { closeCode: err.closeCode, closeReason: err.closeReason },
    });
  }
  return restFailure(err, { step: c.step, commandSent: c.commandSent });
}
