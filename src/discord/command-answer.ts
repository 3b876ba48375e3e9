/**
 * The end of a sent command: the matched reply (or Discord's failure report) turned into the
 * command's result, or a DriverError with the refusal's own code (bot-replies.ts).
 */
import type { APIAttachment } from 'discord-api-types/v10';
import type { BotCommand } from '../jobs/commands.js';
import type { JobAttachment } from '../jobs/model.js';
import { BOT_REPLIES, jobCodeOf } from './bot-replies.js';
import { readListedIdentities } from './listed-identities.js';
import type { ReplyOutcome } from './reply-matcher.js';
import { DriverError, type CommandResult } from './types.js';

/** The final outcome of a sent command: a result, or the bot's / Discord's refusal. */
export function settle(outcome: ReplyOutcome, commandSent: boolean, name: BotCommand): CommandResult {
  switch (outcome.kind) {
    case 'reply': {
      const { message, verdict } = outcome;
      if (verdict.kind === 'botError') {
        const signal = BOT_REPLIES.find((r) => r.code === verdict.reason)?.accountSignal;
        throw new DriverError(jobCodeOf(verdict.reason), `The bot refused the job: ${verdict.text || verdict.reason}`, {
          commandSent,
          reason: verdict.reason,
          details: { reason: verdict.reason, text: verdict.text },
          ...(signal ? { signal: { id: signal, evidence: { reason: verdict.reason, text: verdict.text, messageId: message.id } } } : {}),
        });
      }
      return {
        messageId: message.id,
        content: message.content ?? '',
        attachments: (message.attachments ?? []).map(toJobAttachment),
        timestamp: message.timestamp ?? new Date().toISOString(),
        interactionId: outcome.interactionId,
        ...(name === 'listid' ? { identities: readListedIdentities(message) } : {}),
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
