import type { WebSocket } from 'ws';
import { GatewayCloseCodes, GatewayIntentBits, GatewayOpcodes } from 'discord-api-types/v10';
import type { APIUser, GatewayHello, GatewayHeartbeatAck, GatewayInvalidSession } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import type { AccountRegistry } from '../state/accounts.js';
import { botReady, guildCreate, userReady } from './payloads.js';
import type { GatewayLink, GatewaySession, SessionRegistry } from './sessions.js';

export interface ConnectionDeps {
  accounts: AccountRegistry;
  /** A scripted outage for this token: its IDENTIFY is closed with 4000. */
  gatewayDown: (token: string) => boolean;
  sessions: SessionRegistry;
  bot: { token: string; user: APIUser; applicationId: string };
  heartbeatIntervalMs: number;
  resumeUrl: () => string;
  nowIso: () => string;
  logger: Logger;
}

interface Frame {
  op: GatewayOpcodes;
  d: unknown;
}

/** Intents a bot must send; all are allowed (the simulated bot is verified for privileged ones). */
const ALL_INTENTS = Object.values(GatewayIntentBits)
  .filter((v): v is number => typeof v === 'number')
  .reduce((a, b) => a | b, 0);

/**
 * One gateway socket: HELLO, heartbeats, IDENTIFY or RESUME, then dispatches of its session.
 * Closing with 1000/1001 ends the session (like Discord); any other close keeps it resumable.
 */
export function handleConnection(ws: WebSocket, deps: ConnectionDeps, identified: (userId: string) => void = () => undefined): void {
  let session: GatewaySession | undefined;
  const link: GatewayLink = {
    send: (frame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    },
    close: (code, reason) => ws.close(code, reason),
  };
  const closeWith = (code: GatewayCloseCodes, reason: string): void => {
    if (session) session.detach(link);
    ws.close(code, reason);
  };

  // Discord expects a heartbeat within the interval; allow a grace for jitter and slow CI.
  let deadline: NodeJS.Timeout | undefined;
  const armDeadline = (): void => {
    clearTimeout(deadline);
    deadline = setTimeout(
      () => {
        if (session) deps.sessions.invalidate(session);
        closeWith(GatewayCloseCodes.SessionTimedOut, 'Heartbeat not received');
      },
      deps.heartbeatIntervalMs * 1.5 + 1000,
    );
  };

  const hello: GatewayHello = { op: GatewayOpcodes.Hello, d: { heartbeat_interval: deps.heartbeatIntervalMs }, t: null, s: null };
  link.send(hello);
  armDeadline();

  ws.on('close', (code) => {
    clearTimeout(deadline);
    if (!session) return;
    session.detach(link);
    if (code === 1000 || code === 1001) deps.sessions.invalidate(session);
  });

  ws.on('message', (raw) => {
    const frame = parseFrame(raw);
    if (!frame) return closeWith(GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
    switch (frame.op) {
      case GatewayOpcodes.Heartbeat: {
        armDeadline();
        const ack: GatewayHeartbeatAck = { op: GatewayOpcodes.HeartbeatAck, d: undefined, t: null, s: null };
        link.send(ack);
        return;
      }
      case GatewayOpcodes.Identify:
        if (session) return closeWith(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
        session = identify(frame.d, link, deps, closeWith);
        if (session) identified(session.userId);
        return;
      case GatewayOpcodes.Resume:
        if (session) return closeWith(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
        session = resume(frame.d, link, deps, closeWith);
        return;
      default:
        if (!session) return closeWith(GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
        // Presence, lazy guild and other client ops are accepted and ignored.
        return;
    }
  });
}

function parseFrame(raw: unknown): Frame | undefined {
  try {
    const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : Array.isArray(raw) ? Buffer.concat(raw).toString('utf8') : String(raw);
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && 'op' in value && typeof value.op === 'number') {
      return { op: value.op, d: 'd' in value ? value.d : undefined };
    }
  } catch {
    // falls through to a decode error
  }
  return undefined;
}

function field<T>(d: unknown, key: string, guard: (v: unknown) => v is T): T | undefined {
  if (typeof d !== 'object' || d === null) return undefined;
  const value: unknown = (d as Record<string, unknown>)[key];
  return guard(value) ? value : undefined;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isShard = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every(isNumber);

type CloseWith = (code: GatewayCloseCodes, reason: string) => void;

function identify(d: unknown, link: GatewayLink, deps: ConnectionDeps, closeWith: CloseWith): GatewaySession | undefined {
  const token = field(d, 'token', isString);
  const resumeUrl = deps.resumeUrl();
  if (token !== undefined && token === deps.bot.token) {
    const intents = field(d, 'intents', isNumber);
    if (intents === undefined || (intents & ~ALL_INTENTS) !== 0) {
      closeWith(GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
      return undefined;
    }
    const session = deps.sessions.create('bot', token, deps.bot.user.id, intents);
    session.attach(link);
    const guilds = deps.accounts.guilds();
    session.dispatch('READY', botReady(session, deps.bot.user, deps.bot.applicationId, guilds, resumeUrl, field(d, 'shard', isShard)));
    if ((intents & GatewayIntentBits.Guilds) !== 0) {
      for (const guild of guilds) session.dispatch('GUILD_CREATE', guildCreate(guild, deps.accounts, deps.bot.user, deps.nowIso()));
    }
    return session;
  }
  const user = token === undefined ? undefined : deps.accounts.userByToken(token);
  if (!user) {
    closeWith(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    return undefined;
  }
  if (deps.gatewayDown(user.token)) {
    closeWith(GatewayCloseCodes.UnknownError, 'Unknown error.');
    return undefined;
  }
  const session = deps.sessions.create('user', user.token, user.user.id, 0);
  session.attach(link);
  session.dispatch('READY', userReady(session, user.user, deps.accounts.guildsOf(user.token), resumeUrl));
  return session;
}

function resume(d: unknown, link: GatewayLink, deps: ConnectionDeps, closeWith: CloseWith): GatewaySession | undefined {
  const token = field(d, 'token', isString);
  const sessionId = field(d, 'session_id', isString);
  const seq = field(d, 'seq', isNumber);
  const session = sessionId === undefined ? undefined : deps.sessions.get(sessionId);
  const replay = session && seq !== undefined && seq <= session.seq ? session.replayAfter(seq) : undefined;
  if (seq !== undefined && session && seq > session.seq) {
    closeWith(GatewayCloseCodes.InvalidSeq, 'Invalid seq.');
    return undefined;
  }
  if (!session || session.invalidated || session.token !== token || !replay) {
    const invalid: GatewayInvalidSession = { op: GatewayOpcodes.InvalidSession, d: false, t: null, s: null };
    link.send(invalid);
    return undefined;
  }
  // Discord closes the session's old socket, if any, when another one resumes it.
  session.drop(GatewayCloseCodes.UnknownError, 'Session resumed elsewhere');
  session.attach(link);
  for (const frame of replay) link.send(frame);
  session.dispatch('RESUMED', {});
  deps.logger.debug({ session: session.id, replayed: replay.length }, 'gateway session resumed');
  return session;
}
