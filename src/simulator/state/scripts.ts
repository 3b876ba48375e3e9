import type { BotBehaviour } from '../types.js';

const SUCCESS: BotBehaviour = { kind: 'success' };

/** What the bot does next, per channel: a FIFO of scripted behaviours, then the default. */
export class BehaviourScripts {
  private readonly queues = new Map<string, BotBehaviour[]>();
  private readonly defaults = new Map<string, BotBehaviour>();

  push(channelId: string, behaviours: BotBehaviour[]): void {
    const queue = this.queues.get(channelId) ?? [];
    queue.push(...behaviours);
    this.queues.set(channelId, queue);
  }

  setDefault(channelId: string, behaviour: BotBehaviour): void {
    this.defaults.set(channelId, behaviour);
  }

  next(channelId: string): BotBehaviour {
    return this.queues.get(channelId)?.shift() ?? this.defaults.get(channelId) ?? SUCCESS;
  }
}
