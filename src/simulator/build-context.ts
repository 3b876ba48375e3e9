import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { APIUser } from 'discord-api-types/v10';
import { pino } from 'pino';
import { BOT_APPLICATION_ID, BOT_USERNAME, PICSI } from './bot/insightfaceswap.js';
import { InsightFaceSwapBot } from './bot/bot.js';
import type { SimulatorContext } from './context.js';
import { GATEWAY_PATH, GatewayServer, RESUME_PATH } from './gateway/server.js';
import { SessionRegistry } from './gateway/sessions.js';
import { Router } from './http/router.js';
import type { HttpRouters } from './http/server.js';
import { attachmentApiRoutes, uploadRoutes } from './routes/attachments.js';
import { cdnRoutes } from './routes/cdn.js';
import { commandRoutes } from './routes/commands.js';
import { gatewayRoutes } from './routes/gateway.js';
import { interactionRoutes } from './routes/interactions.js';
import { lookupRoutes } from './routes/lookups.js';
import { messageRoutes } from './routes/messages.js';
import { snowflakeFactory } from './snowflake.js';
import { AccountFaults } from './state/account-faults.js';
import { AccountRegistry } from './state/accounts.js';
import { CdnStore } from './state/cdn.js';
import { CommandRegistry } from './state/commands.js';
import { IdentityStore } from './state/identities.js';
import { Instrumentation } from './state/instrumentation.js';
import { MessageStore } from './state/messages.js';
import { BehaviourScripts } from './state/scripts.js';
import { UploadStore } from './state/uploads.js';
import { TimerSet } from './timers.js';
import type { SimulatorOptions } from './types.js';

const DEFAULT_BOT_DELAY_MS = 3000;
const DEFAULT_HEARTBEAT_MS = 41_250;
const DAY_MS = 24 * 60 * 60 * 1000;

export const tokenPart = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** Wires the stores, the bot and the settings together; `origin` is known once listening. */
export function buildContext(options: SimulatorOptions, origin: () => string): SimulatorContext {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? pino({ level: 'silent' });
  const newId = snowflakeFactory(now);
  const nowIso = (): string => new Date(now()).toISOString();
  const applicationId = BOT_APPLICATION_ID;
  const settings = { botDelayMs: options.botDelayMs ?? DEFAULT_BOT_DELAY_MS, linkMbps: options.linkMbps ?? 0 };
  const accounts = new AccountRegistry(newId, now);
  const sessions = new SessionRegistry();
  const messages = new MessageStore();
  const timers = new TimerSet();
  const cdn = new CdnStore(origin, now, options.cdnUrlTtlMs ?? DAY_MS);
  const botUser: APIUser = {
    id: applicationId,
    username: BOT_USERNAME,
    discriminator: '0',
    global_name: BOT_USERNAME,
    avatar: null,
    bot: true,
  };
  const commands = new CommandRegistry(applicationId, newId, { ...PICSI.optionNames, ...options.picsiOptionNames });
  const identities = new IdentityStore();
  const bot = new InsightFaceSwapBot({
    accounts,
    identities,
    picsiOptionNames: commands.picsiOptionNames,
    sessions,
    messages,
    cdn,
    timers,
    newId,
    nowIso,
    botUser,
    applicationId,
    botDelayMs: () => settings.botDelayMs,
    logger: logger.child({ component: 'insightfaceswap-bot' }),
  });
  return {
    applicationId,
    // Bot tokens start with the base64 of the bot's id, like Discord's.
    botToken: `${Buffer.from(applicationId).toString('base64url')}.${tokenPart(4)}.${tokenPart(20)}`,
    botUser,
    accounts,
    faults: new AccountFaults(),
    commands,
    identities,
    uploads: new UploadStore(),
    cdn,
    messages,
    sessions,
    scripts: new BehaviourScripts(),
    stats: new Instrumentation(),
    bot,
    timers,
    settings,
    newId,
    nowIso,
    logger,
    origin,
    gatewayUrl: () => `${origin().replace(/^http/, 'ws')}${GATEWAY_PATH}`,
  };
}

export function buildRouters(): HttpRouters {
  return {
    api: new Router([...gatewayRoutes, ...commandRoutes, ...attachmentApiRoutes, ...interactionRoutes, ...messageRoutes, ...lookupRoutes]),
    root: new Router([...uploadRoutes, ...cdnRoutes]),
  };
}

export function buildGateway(sim: SimulatorContext, options: SimulatorOptions): GatewayServer {
  return new GatewayServer(
    {
      accounts: sim.accounts,
      gatewayDown: (token) => sim.faults.gatewayDown(token),
      sessions: sim.sessions,
      bot: { token: sim.botToken, user: sim.botUser, applicationId: sim.applicationId },
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
      resumeUrl: () => `${sim.origin().replace(/^http/, 'ws')}${RESUME_PATH}`,
      nowIso: sim.nowIso,
      logger: sim.logger.child({ component: 'gateway' }),
    },
    (entry) => sim.stats.record({ at: performance.now(), ...entry }),
    (session) => sim.stats.identified({ at: performance.now(), ...session }),
  );
}
