/** What doctor checks: the configured accounts, or (without DISCORD_ACCOUNTS) the built-in simulator's demo account. */
import type { Config } from '../config.js';
import type { DiscordAccount } from '../discord/types.js';

export interface DoctorTarget {
  apiUrl: string;
  accounts: DiscordAccount[];
  simulator: boolean;
  close(): Promise<void>;
}

export async function resolveTarget(config: Config): Promise<DoctorTarget> {
  if (config.discord.accounts) {
    return { apiUrl: config.discord.apiUrl, accounts: config.discord.accounts, simulator: false, close: async () => undefined };
  }
  // Loaded only when it is used: checking real accounts never imports the simulator.
  const { DiscordSimulator } = await import('../simulator/index.js');
  const simulator = await DiscordSimulator.start({ botDelayMs: config.simulator.botDelayMs });
  const demo = simulator.addDemoAccount();
  return {
    apiUrl: simulator.apiUrl,
    accounts: [{ channel: demo.channelId, server: demo.guildId, discord: demo.token, label: 'simulated demo account' }],
    simulator: true,
    close: () => simulator.close(),
  };
}
