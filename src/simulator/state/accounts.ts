import type { APIUser } from 'discord-api-types/v10';
import { DAILY_FREE_CREDITS, DEFAULT_PLAN } from '../bot/insightfaceswap.js';
import type { Plan } from '../bot/insightfaceswap.js';
import type { Credits, SimulatedAccount } from '../types.js';

export interface SimUser {
  token: string;
  user: APIUser;
  dailyCredits: number;
  used: number;
  /** UTC day (YYYY-MM-DD) `used` belongs to; credits renew at 00:00 UTC. */
  day: string;
  /** The bot's subscription plan (GIF limits and costs). */
  plan: Plan;
}

export interface SimChannel {
  channelId: string;
  guildId: string;
  name: string;
  /** Token of the account this channel belongs to. */
  token: string;
}

export interface SimGuild {
  guildId: string;
  name: string;
  channelIds: string[];
  memberTokens: Set<string>;
}

export type AccountChange = { kind: 'guild'; guild: SimGuild } | { kind: 'channel'; channel: SimChannel };

/** Users (by token), guilds and channels known to the simulator, and each user's credits. */
export class AccountRegistry {
  private readonly users = new Map<string, SimUser>();
  private readonly channels = new Map<string, SimChannel>();
  private readonly guildMap = new Map<string, SimGuild>();
  private readonly revoked = new Set<string>();

  constructor(
    private readonly newId: () => string,
    private readonly now: () => number,
  ) {}

  /** Registers an account; returns it with userId and credits filled and what it created. */
  add(account: SimulatedAccount): { account: Required<SimulatedAccount>; changes: AccountChange[] } {
    const existing = this.channels.get(account.channelId);
    if (existing && (existing.token !== account.token || existing.guildId !== account.guildId)) {
      throw new Error(`channel ${account.channelId} already belongs to another account`);
    }
    const user = this.ensureUser(account);
    const changes: AccountChange[] = [];
    let guild = this.guildMap.get(account.guildId);
    if (!guild) {
      guild = { guildId: account.guildId, name: `picsi guild ${this.guildMap.size + 1}`, channelIds: [], memberTokens: new Set() };
      this.guildMap.set(account.guildId, guild);
      changes.push({ kind: 'guild', guild });
    }
    guild.memberTokens.add(account.token);
    if (!existing) {
      const channel: SimChannel = {
        channelId: account.channelId,
        guildId: account.guildId,
        name: `picsi-${guild.channelIds.length + 1}`,
        token: account.token,
      };
      this.channels.set(channel.channelId, channel);
      guild.channelIds.push(channel.channelId);
      // A brand-new guild is announced whole; only a channel added to a known guild is separate.
      if (changes.length === 0) changes.push({ kind: 'channel', channel });
    }
    return {
      account: { ...account, userId: user.user.id, credits: user.dailyCredits, plan: user.plan },
      changes,
    };
  }

  userByToken(token: string): SimUser | undefined {
    return this.revoked.has(token) ? undefined : this.users.get(token);
  }

  /** The token stops working (a password change or a logout): 401 on REST, 4004 at IDENTIFY. */
  revoke(token: string): void {
    this.revoked.add(token);
  }

  channel(channelId: string): SimChannel | undefined {
    return this.channels.get(channelId);
  }

  guild(guildId: string): SimGuild | undefined {
    return this.guildMap.get(guildId);
  }

  guilds(): SimGuild[] {
    return [...this.guildMap.values()];
  }

  guildsOf(token: string): SimGuild[] {
    return this.guilds().filter((g) => g.memberTokens.has(token));
  }

  isMember(token: string, guildId: string): boolean {
    return this.guildMap.get(guildId)?.memberTokens.has(token) ?? false;
  }

  /** A user by token or by one of its channels; throws when neither is known. */
  resolveUser(channelOrToken: string): SimUser {
    const user = this.users.get(channelOrToken) ?? this.users.get(this.channels.get(channelOrToken)?.token ?? '');
    if (!user) throw new Error(`unknown channel or token: ${channelOrToken}`);
    return user;
  }

  /** Credits of a user, by token or by one of its channels. */
  credits(channelOrToken: string): Credits {
    const user = this.resolveUser(channelOrToken);
    this.renew(user);
    return { total: user.dailyCredits, used: user.used };
  }

  /** Spends `cost` credits if enough remain today. */
  trySpend(token: string, cost: number): boolean {
    const user = this.users.get(token);
    if (!user) return false;
    this.renew(user);
    if (user.dailyCredits - user.used < cost) return false;
    user.used += cost;
    return true;
  }

  private renew(user: SimUser): void {
    const today = utcDay(this.now());
    if (user.day !== today) {
      user.day = today;
      user.used = 0;
    }
  }

  private ensureUser(account: SimulatedAccount): SimUser {
    const known = this.users.get(account.token);
    if (known) {
      if (account.userId && account.userId !== known.user.id) {
        throw new Error(`token already registered with user id ${known.user.id}`);
      }
      if (account.credits !== undefined) known.dailyCredits = account.credits;
      if (account.plan !== undefined) known.plan = account.plan;
      return known;
    }
    const id = account.userId ?? this.newId();
    const user: SimUser = {
      token: account.token,
      user: { id, username: `picsi_user_${this.users.size + 1}`, discriminator: '0', global_name: null, avatar: null },
      dailyCredits: account.credits ?? DAILY_FREE_CREDITS,
      used: 0,
      day: utcDay(this.now()),
      plan: account.plan ?? DEFAULT_PLAN,
    };
    this.users.set(account.token, user);
    return user;
  }
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
