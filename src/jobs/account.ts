/**
 * A configured Discord account as the domain knows it: shared by the job service (accounts API),
 * the executor and the driver, so none of them owns the others' types.
 */

import type { BotPlan } from './command-costs.js';

/** One configured Discord user account bound to one channel (DISCORD_ACCOUNTS entries). */
export interface DiscordAccount {
  channel: string;
  server: string;
  /** The raw user token. Never logged, never returned by the API. */
  discord: string;
  /** Optional operator label shown in logs and the accounts query. */
  label?: string;
  /** The account's InsightFaceSwap plan (its GIF limits and price, src/jobs/command-costs.ts); unset = DEFAULT_PLAN. */
  plan?: BotPlan;
}
