/** The driver's own failures, as DriverErrors: a gateway that never got ready, a REST helper that failed. */
import type { Clock } from '../timing/clock.js';
import type { AccountSession } from './account-session.js';
import { signalField } from './account-signals.js';
import { DriverError } from './types.js';
import { GatewayFatalError } from './user-gateway.js';

/** Waits for the session's gateway READY, at most `timeoutMs`; fails with a DriverError. */
export async function waitGatewayReady(session: AccountSession, timeoutMs: number, shutdown: AbortSignal, clock: Clock): Promise<void> {
  const deadline = new AbortController();
  const timer = clock.setTimeout(() => deadline.abort(), timeoutMs);
  try {
    await session.gateway.waitReady(AbortSignal.any([shutdown, deadline.signal]));
  } catch (err) {
    if (err instanceof GatewayFatalError) {
      throw new DriverError(
        err.unauthorized ? 'DISCORD_UNAUTHORIZED' : 'DISCORD_ERROR',
        `Discord gateway refused the account: ${err.message}`,
        {
          commandSent: false,
          ...signalField(err),
          details: { closeCode: err.closeCode, closeReason: err.closeReason },
        },
      );
    }
    if (shutdown.aborted) throw new DriverError('ABORTED', 'Discord driver closed while connecting', { commandSent: false });
    throw new DriverError('TIMEOUT', `Gateway not ready within ${timeoutMs} ms`, {
      commandSent: false,
      details: { gateway: session.gateway.state },
    });
  } finally {
    clock.clearTimeout(timer);
  }
}

/** Runs a driver helper that sends no command; anything but a DriverError becomes DISCORD_ERROR `${what} failed`. */
export async function asDriverError<T>(what: string, work: () => Promise<T>, keepDriverErrors = false): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (keepDriverErrors && err instanceof DriverError) throw err;
    throw new DriverError('DISCORD_ERROR', `${what} failed: ${err instanceof Error ? err.message : String(err)}`, {
      commandSent: false,
      cause: err,
    });
  }
}
