import type { APIAttachment, APIMessage, APIUser } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import { FAILURE_REASON_NO_RESPONSE, INTERACTION_ACK_TIMEOUT_MS } from '../wire.js';
import { dispatchGuildMessage } from '../gateway/fanout.js';
import type { GatewaySession, SessionRegistry } from '../gateway/sessions.js';
import type { AccountRegistry, SimChannel, SimUser } from '../state/accounts.js';
import type { CdnStore } from '../state/cdn.js';
import type { InFlightHandle } from '../state/instrumentation.js';
import type { MessageStore } from '../state/messages.js';
import type { TimerSet } from '../timers.js';
import type { BotBehaviour } from '../types.js';
import { swapFace } from './face-swap.js';
import { PICSI_CREDIT_COST } from './insightfaceswap.js';
import type { BotErrorKind } from './insightfaceswap.js';
import { errorMessage, loadingMessage, resultMessage } from './messages.js';
import type { ReplyContext } from './messages.js';
import { optionsAreValid } from './option-check.js';

/** Behaviours that reach the bot; rate limits and stale versions are answered by REST. */
export type BotRunBehaviour = Exclude<BotBehaviour, { kind: 'rateLimit' } | { kind: 'staleCommandVersion' }>;

export interface UploadedFile {
  bytes: Buffer;
  filename: string;
}

export interface PicsiJob {
  interactionId: string;
  nonce: string;
  session: GatewaySession;
  channel: SimChannel;
  user: SimUser;
  source: UploadedFile;
  target: UploadedFile;
  optionsText: string | undefined;
  behaviour: BotRunBehaviour;
  inFlight: InFlightHandle;
}

export interface BotDeps {
  accounts: AccountRegistry;
  sessions: SessionRegistry;
  messages: MessageStore;
  cdn: CdnStore;
  timers: TimerSet;
  newId: () => string;
  nowIso: () => string;
  botUser: APIUser;
  applicationId: string;
  botDelayMs: () => number;
  logger: Logger;
}

type Final = { kind: 'result'; attachment: APIAttachment } | { kind: 'botError'; error: BotErrorKind };

/** The simulated InsightFaceSwap bot: acknowledges, shows a LOADING placeholder, then edits it. */
export class PicsiBot {
  constructor(private readonly deps: BotDeps) {}

  async run(job: PicsiJob): Promise<void> {
    const { deps } = this;
    const { session, behaviour } = job;
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
    if (behaviour.kind !== 'silence' || behaviour.placeholder !== false) this.post('MESSAGE_CREATE', loadingMessage(ctx), job.channel);

    if (behaviour.kind === 'silence') {
      await deps.timers.sleep(behaviour.holdMs ?? 0);
      job.inFlight.end('silence', false);
      return;
    }
    if (behaviour.kind === 'dropGatewayMidJob') deps.sessions.drop(session, behaviour.resumable ?? true);

    const delay = behaviour.delayMs ?? deps.botDelayMs();
    const work: Promise<Final> =
      behaviour.kind === 'botError' ? Promise.resolve({ kind: 'botError', error: behaviour.error }) : this.faceSwap(job, ctx);
    const [final] = await Promise.all([work, deps.timers.sleep(delay)]);
    if (deps.timers.isStopped) return;

    const editedAt = deps.nowIso();
    const message =
      final.kind === 'result' ? resultMessage(ctx, final.attachment, editedAt) : errorMessage(ctx, final.error, editedAt);
    this.post('MESSAGE_UPDATE', message, job.channel);
    job.inFlight.end(final.kind, true);
    deps.logger.debug({ interaction: job.interactionId, outcome: final.kind }, 'picsi job finished');
  }

  private async faceSwap(job: PicsiJob, ctx: ReplyContext): Promise<Final> {
    const { accounts, cdn, newId } = this.deps;
    const credits = accounts.credits(job.user.token);
    if (credits.total - credits.used < PICSI_CREDIT_COST) return { kind: 'botError', error: 'CREDITS_EXHAUSTED' };
    if (!optionsAreValid(job.optionsText)) return { kind: 'botError', error: 'INVALID_OPTION' };
    const swapped = await swapFace(job.source.bytes, job.target.bytes);
    if (!swapped) return { kind: 'botError', error: 'NO_FACE' };
    // Charged on success only; a concurrent job may have used the last credits meanwhile.
    if (!accounts.trySpend(job.user.token, PICSI_CREDIT_COST)) return { kind: 'botError', error: 'CREDITS_EXHAUSTED' };
    const id = newId();
    const filename = resultFilename(job.target.filename);
    const { url, proxyUrl } = cdn.put(ctx.channelId, id, filename, { bytes: swapped.png, contentType: 'image/png' });
    return {
      kind: 'result',
      attachment: {
        id,
        filename,
        size: swapped.png.length,
        url,
        proxy_url: proxyUrl,
        width: swapped.width,
        height: swapped.height,
        content_type: 'image/png',
      },
    };
  }

  private replyContext(job: PicsiJob): ReplyContext {
    return {
      messageId: this.deps.newId(),
      channelId: job.channel.channelId,
      guildId: job.channel.guildId,
      bot: this.deps.botUser,
      applicationId: this.deps.applicationId,
      user: job.user.user,
      interactionId: job.interactionId,
      timestamp: this.deps.nowIso(),
    };
  }

  private post(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: APIMessage, channel: SimChannel): void {
    this.deps.messages.upsert(message);
    dispatchGuildMessage(this.deps.sessions, this.deps.accounts, t, message, channel.guildId);
  }
}

/** `photo.jpg` → `photo_swapped.png`, restricted to characters safe in a CDN path. */
function resultFilename(target: string): string {
  const stem = target.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 64) || 'result';
  return `${stem}_swapped.png`;
}
