import type { APIMessage } from 'discord-api-types/v10';
import { DiscordSimulator } from '../../src/simulator/index.js';
import type { SimulatedAccount, SimulatorOptions } from '../../src/simulator/index.js';
import { makeImage } from './images.js';
import type { FileToSend } from './picsi-client.js';
import { UserRest, freshNonce, picsiBody } from './picsi-client.js';
import { RawGateway } from './raw-gateway.js';

export interface UserSession {
  account: SimulatedAccount;
  rest: UserRest;
  gateway: RawGateway;
  sessionId: string;
  resumeUrl: string;
}

/** A user account logged in on the gateway with a raw client. */
export async function loginUser(sim: DiscordSimulator, account: SimulatedAccount = sim.createAccount()): Promise<UserSession> {
  const gateway = await RawGateway.connect(sim.gatewayUrl);
  const ready = await gateway.identify(account.token);
  return { account, rest: new UserRest(sim, account.token), gateway, sessionId: ready.session_id, resumeUrl: ready.resume_gateway_url };
}

let cachedImages: { source: FileToSend; target: FileToSend } | undefined;

export async function sampleImages(): Promise<{ source: FileToSend; target: FileToSend }> {
  cachedImages ??= {
    source: { filename: 'face.png', bytes: await makeImage(64, 64, 'png', '#aa5533') },
    target: { filename: 'scene.jpg', bytes: await makeImage(120, 90, 'jpeg') },
  };
  return cachedImages;
}

export interface StartedJob {
  response: Response;
  nonce: string;
}

/** Uploads two images and POSTs /picsi; returns the raw /interactions response. */
export async function startPicsi(
  user: UserSession,
  opts: { options?: string; files?: { source: FileToSend; target: FileToSend }; sessionId?: string } = {},
): Promise<StartedJob> {
  const files = opts.files ?? (await sampleImages());
  const command = await user.rest.picsiCommand(user.account.guildId);
  const attachments = await user.rest.upload(user.account.channelId, [files.source, files.target]);
  const nonce = freshNonce();
  const body = picsiBody(user.account, opts.sessionId ?? user.sessionId, command, attachments, opts.options, nonce);
  const response = await user.rest.request('POST', '/interactions', body);
  return { response, nonce };
}

/** Starts a simulator with bot delay 0 unless told otherwise. */
export function startSimulator(options: SimulatorOptions = {}): Promise<DiscordSimulator> {
  return DiscordSimulator.start({ botDelayMs: 0, ...options });
}

/** The bot's final MESSAGE_UPDATE for the job with this nonce (linked via interaction_metadata.id). */
export async function finalReply(user: UserSession, nonce: string): Promise<APIMessage> {
  const created = await user.gateway.waitForDispatch('INTERACTION_CREATE', (d) => d.nonce === nonce);
  const id = (created.d as { id: string }).id;
  const update = await user.gateway.waitForDispatch(
    'MESSAGE_UPDATE',
    (d) => (d.interaction_metadata as { id?: string } | undefined)?.id === id,
  );
  return update.d as APIMessage;
}
