import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIUser } from 'discord-api-types/v10';
import { GatewayCloseCodes } from 'discord-api-types/v10';
import { BOT_APPLICATION_ID } from './bot/insightfaceswap.js';
import { buildContext, buildGateway, buildRouters, tokenPart } from './build-context.js';
import { DEMO_ACCOUNT } from './demo-account.js';
import type { SimulatorContext } from './context.js';
import { guildCreate, textChannel } from './gateway/payloads.js';
import type { GatewayServer } from './gateway/server.js';
import { createHttpServer } from './http/server.js';
import type { AccountFault } from './state/account-faults.js';
import type { AccountChange } from './state/accounts.js';
import type {
  BotBehaviour,
  ChannelStats,
  Credits,
  GatewayIdentification,
  IdentitySnapshot,
  InteractionLogEntry,
  Plan,
  RecordedRequest,
  SimulatedAccount,
  SimulatorOptions,
} from './types.js';

/**
 * A fake Discord on loopback: REST under `/api/v9|v10`, a gateway websocket, a CDN and the
 * InsightFaceSwap bot. Real clients (our driver, discord.js) talk to it unchanged.
 */
export class DiscordSimulator {
  /** REST base without version, e.g. `http://127.0.0.1:PORT/api` (what DISCORD_API_URL is set to). */
  readonly apiUrl: string;
  /** `ws://127.0.0.1:PORT/gateway`, also returned by GET /gateway. */
  readonly gatewayUrl: string;
  readonly applicationId = BOT_APPLICATION_ID;
  /** Token of the InsightFaceSwap bot itself, for a discord.js Client (`Bot ` prefix on REST). */
  readonly botToken: string;
  readonly botUser: APIUser;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly sim: SimulatorContext,
    private readonly server: Server,
    private readonly gateway: GatewayServer,
    origin: string,
  ) {
    this.apiUrl = `${origin}/api`;
    this.gatewayUrl = sim.gatewayUrl();
    this.botToken = sim.botToken;
    this.botUser = sim.botUser;
  }

  static async start(options: SimulatorOptions = {}): Promise<DiscordSimulator> {
    let origin = '';
    const sim = buildContext(options, () => origin);
    const server = createHttpServer(buildRouters(), sim);
    const gateway = buildGateway(sim, options);
    server.on('upgrade', (req, socket, head: Buffer) => {
      if (gateway.handleUpgrade(req, socket, head)) return;
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    origin = `http://${host}:${address.port}`;
    const simulator = new DiscordSimulator(sim, server, gateway, origin);
    for (const account of options.accounts ?? []) simulator.addAccount(account);
    sim.logger.info({ apiUrl: simulator.apiUrl }, 'discord simulator listening');
    return simulator;
  }

  /** Registers an account (user token + guild + channel). Announces new guilds/channels to bots. */
  addAccount(account: SimulatedAccount): SimulatedAccount {
    const { account: added, changes } = this.sim.accounts.add(account);
    for (const change of changes) this.announce(change);
    return added;
  }

  /** Makes and registers an account with fresh ids and a token in Discord's format. */
  createAccount(overrides: Partial<SimulatedAccount> = {}): SimulatedAccount {
    const userId = overrides.userId ?? this.sim.newId();
    return this.addAccount({
      token: overrides.token ?? `${Buffer.from(userId).toString('base64url')}.${tokenPart(4)}.${tokenPart(27)}`,
      guildId: overrides.guildId ?? this.sim.newId(),
      channelId: overrides.channelId ?? this.sim.newId(),
      userId,
      ...(overrides.credits !== undefined ? { credits: overrides.credits } : {}),
      ...(overrides.plan !== undefined ? { plan: overrides.plan } : {}),
    });
  }

  /** Registers the demo account (src/simulator/demo-account.ts): the same ids and token at every start. */
  addDemoAccount(): SimulatedAccount {
    return this.addAccount({ ...DEMO_ACCOUNT });
  }

  /** Delay between the LOADING placeholder and the final reply, for jobs accepted from now on. */
  setBotDelay(ms: number): void {
    this.sim.settings.botDelayMs = ms;
  }

  /** Each upload and CDN download at most `mbps` Mbit/s from now on (0: no limit; http/link.ts). */
  setLinkMbps(mbps: number): void {
    this.sim.settings.linkMbps = mbps;
  }

  /** Queues behaviours for the channel's next /interactions calls (FIFO); then the default. */
  script(channelId: string, ...behaviours: BotBehaviour[]): void {
    this.sim.scripts.push(channelId, behaviours);
  }

  /** What the bot does on this channel once the script is empty (initially success). */
  setDefaultBehaviour(channelId: string, behaviour: BotBehaviour): void {
    this.sim.scripts.setDefault(channelId, behaviour);
  }

  /** A snapshot of the channel's counters (see ChannelStats for the in-flight definition). */
  stats(channelId: string): ChannelStats {
    return { ...this.sim.stats.stats(channelId) };
  }

  resetStats(): void {
    this.sim.stats.reset();
  }

  get requests(): readonly RecordedRequest[] {
    return this.sim.stats.requests;
  }

  /** User sessions that identified on the gateway (who, from which address), oldest first. */
  get gatewayIdentifications(): readonly (GatewayIdentification & { at: number })[] {
    return this.sim.stats.identifications;
  }

  interactionsLog(channelId?: string): readonly InteractionLogEntry[] {
    return this.sim.stats.interactions(channelId);
  }

  /**
   * Resolves when the interaction sent with this nonce leaves the in-flight set (final reply,
   * INTERACTION_FAILURE, or the end of a silence), at once if it already has.
   */
  interactionEnded(nonce: string): Promise<InteractionLogEntry> {
    return this.sim.stats.ended(nonce);
  }

  /** Closes gateway sockets (of one token, else all) with 4000: sessions stay resumable. */
  dropSessions(token?: string): void {
    for (const session of this.sim.sessions.live()) {
      if (token === undefined || session.token === token) session.drop(GatewayCloseCodes.UnknownError, 'Simulated disconnect');
    }
  }

  /**
   * Makes Discord refuse the account (by token or channel) the way it refuses an account that needs a
   * person, until called again with null: a captcha or a verification demand on its writes, or lost
   * access to its channel and guild (src/simulator/state/account-faults.ts).
   */
  setAccountFault(channelOrToken: string, fault: AccountFault | null): void {
    this.sim.faults.set(this.sim.accounts.resolveUser(channelOrToken).token, fault);
  }

  /** The account's token stops working: REST answers 401, its gateway sessions close with 4004. */
  revokeToken(channelOrToken: string): void {
    const token = this.sim.accounts.resolveUser(channelOrToken).token;
    this.sim.accounts.revoke(token);
    for (const session of this.sim.sessions.live()) {
      if (session.token !== token) continue;
      this.sim.sessions.invalidate(session);
      session.drop(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    }
  }

  /**
   * A person uses the account in its channel from another client: a /picsi the bot works on for
   * `delayMs` (its "thinking" placeholder reaches every session of the guild's members), then
   * answers. Resolves with the interaction's log entry once answered.
   */
  personCommand(channelId: string, { delayMs = 500 }: { delayMs?: number } = {}): Promise<InteractionLogEntry> {
    const channel = this.sim.accounts.channel(channelId);
    if (!channel) throw new Error(`unknown channel ${channelId}`);
    const user = this.sim.accounts.resolveUser(channel.token);
    const session = this.sim.sessions.create('user', user.token, user.user.id, 0);
    const interactionId = this.sim.newId();
    const nonce = this.sim.newId();
    const inFlight = this.sim.stats.begin(channelId, nonce, interactionId);
    const args = { files: new Map(), strings: new Map() };
    const behaviour = { kind: 'botError', error: 'NO_FACE', delayMs } as const;
    this.sim.bot
      .run({ interactionId, nonce, session, channel, user, command: 'picsi', args, behaviour, inFlight })
      .catch((err: unknown) => this.sim.logger.error({ err, interactionId }, 'simulated person command crashed'))
      .finally(() => this.sim.sessions.invalidate(session));
    return this.sim.stats.ended(nonce);
  }

  /** Publishes new versions of the bot's commands; requests with an old one get 50035. */
  bumpCommandVersion(): void {
    this.sim.commands.bump();
  }

  /** Models InsightFaceSwap not added to a guild: its commands are missing from the guild's command index. */
  removeBotFromGuild(guildId: string): void {
    this.sim.commands.removeApplicationFrom(guildId);
  }

  /** Today's credits of a user, by token or by one of its channels. */
  credits(channelOrToken: string): Credits {
    return this.sim.accounts.credits(channelOrToken);
  }

  /** Sets a user's plan (by token or channel): the GIF frame limit and price of later jobs. */
  setPlan(channelOrToken: string, plan: Plan): void {
    this.sim.accounts.resolveUser(channelOrToken).plan = plan;
  }

  /** The identities a user (by token or channel) has saved, in saving order, and the default. */
  identities(channelOrToken: string): IdentitySnapshot {
    return this.sim.identities.snapshot(this.sim.accounts.resolveUser(channelOrToken).token);
  }

  /** Closes every socket, the server and all timers. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.sim.timers.clearAll();
      await this.gateway.close();
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
    })();
    return this.closing;
  }

  private announce(change: AccountChange): void {
    const bots = this.sim.sessions.live().filter((s) => s.kind === 'bot');
    for (const session of bots) {
      if (change.kind === 'guild') {
        session.dispatch('GUILD_CREATE', guildCreate(change.guild, this.sim.accounts, this.botUser, this.sim.nowIso()));
      } else {
        const guild = this.sim.accounts.guild(change.channel.guildId);
        session.dispatch('CHANNEL_CREATE', textChannel(change.channel, (guild?.channelIds.length ?? 1) - 1));
      }
    }
  }
}
