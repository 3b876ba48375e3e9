import type { APIMessage, APIUser } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import { FAILURE_REASON_NO_RESPONSE, INTERACTION_ACK_TIMEOUT_MS } from '../wire.js';
import { dispatchGuildMessage } from '../gateway/fanout.js';
import type { SessionRegistry } from '../gateway/sessions.js';
import type { SimChannel } from '../state/accounts.js';
import type { MessageStore } from '../state/messages.js';
import type { TimerSet } from '../timers.js';
import { handlerFor } from './commands/index.js';
import { botError, refuse } from './commands/types.js';
import { ACCOUNT_WARNING } from './insightfaceswap.js';
import type { BotJob, Final, HandlerDeps } from './commands/types.js';
import { errorMessage, loadingMessage, resultMessage } from './messages.js';
import type { ReplyContext } from './messages.js';

export type { BotJob, BotRunBehaviour, CommandArgs, UploadedFile } from './commands/types.js';

export interface BotDeps extends HandlerDeps {
  sessions: SessionRegistry;
  messages: MessageStore;
  timers: TimerSet;
  nowIso: () => string;
  botUser: APIUser;
  applicationId: string;
  botDelayMs: () => number;
  logger: Logger;
}

/**
 * The simulated InsightFaceSwap bot's interaction flow, the same for every command: acknowledge,
 * then either defer (LOADING placeholder, edited into the answer: image commands) or answer with
 * a new message (text commands). What the answer is comes from the command's handler.
 */
export class InsightFaceSwapBot {
  constructor(private readonly deps: BotDeps) {}

  /** Whether the bot runs this command (the REST layer refuses others before a 204). */
  runs(command: string): boolean {
    return handlerFor(command) !== undefined;
  }

  async run(job: BotJob): Promise<void> {
    const { deps } = this;
    const { session, behaviour } = job;
    const handler = handlerFor(job.command);
    if (!handler) throw new Error(`no handler for /${job.command}`);
    const ids = { id: job.interactionId, nonce: job.nonce };
    session.dispatch('INTERACTION_CREATE', ids);

    if (behaviour.kind === 'interactionFailure') {
      // Discord gives up after 3 s without an acknowledgement; shortened with the bot delay.
      await deps.timers.sleep(Math.min(deps.botDelayMs(), INTERACTION_ACK_TIMEOUT_MS));
      session.dispatch('INTERACTION_FAILURE', { ...ids, reason_code: FAILURE_REASON_NO_RESPONSE });
      job.inFlight.end('interactionFailure', true);
      return;
    }

    session.dispatch('INTERACTION_SUCCESS', ids);
    const ctx = this.replyContext(job);
    const showPlaceholder = handler.deferred && (behaviour.kind !== 'silence' || behaviour.placeholder !== false);
    if (showPlaceholder) this.post('MESSAGE_CREATE', loadingMessage(ctx), job.channel);

    if (behaviour.kind === 'silence') {
      await deps.timers.sleep(behaviour.holdMs ?? 0);
      job.inFlight.end('silence', false);
      return;
    }
    if (behaviour.kind === 'dropGatewayMidJob') deps.sessions.drop(session, behaviour.resumable ?? true);

    const delay = behaviour.delayMs ?? deps.botDelayMs();
    const work: Promise<Final> =
      behaviour.kind === 'botError'
        ? Promise.resolve(botError(behaviour.error))
        : behaviour.kind === 'accountWarning'
          ? Promise.resolve(refuse(ACCOUNT_WARNING))
          : handler.run(job, deps);
    const [final] = await Promise.all([work, deps.timers.sleep(delay)]);
    if (deps.timers.isStopped) return;

    const editedAt = handler.deferred ? deps.nowIso() : null;
    const message =
      final.kind === 'botError'
        ? errorMessage(ctx, final.embed, editedAt)
        : resultMessage(ctx, final.content, final.kind === 'result' ? final.attachments : [], editedAt);
    this.post(handler.deferred ? 'MESSAGE_UPDATE' : 'MESSAGE_CREATE', message, job.channel);
    job.inFlight.end(final.kind, true);
    deps.logger.debug({ interaction: job.interactionId, command: job.command, outcome: final.kind }, 'bot job finished');
  }

  private replyContext(job: BotJob): ReplyContext {
    return {
      messageId: this.deps.newId(),
      channelId: job.channel.channelId,
      guildId: job.channel.guildId,
      bot: this.deps.botUser,
      applicationId: this.deps.applicationId,
      user: job.user.user,
      interactionId: job.interactionId,
      commandName: job.command,
      timestamp: this.deps.nowIso(),
    };
  }

  private post(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: APIMessage, channel: SimChannel): void {
    this.deps.messages.upsert(message);
    dispatchGuildMessage(this.deps.sessions, this.deps.accounts, t, message, channel.guildId);
  }
}
