/**
 * `npm start` (or `node dist/main.js` after `npm run build`): loads the configuration (the embedded
 * defaults taken are logged in one line), builds the services and serves the web page, GraphQL
 * over HTTP and websockets; the line that says which address to open comes last. SIGTERM/SIGINT
 * shut down gracefully.
 */
import { ConfigError, loadConfig } from './config.js';
import { JournalLocked } from './executor/store/embedded/disk-journal.js';
import { isLoopbackHostname } from './http/edge/loopback.js';
import { createLogger } from './logger.js';
import { serverDepsOf, startServices, type Services } from './services.js';
import type { Logger } from 'pino';
import { startGraphQLServer } from './http/app.js';
import { defaultSpoolRoot, requestTempDirUnder } from './http/upload-spool.js';

async function main() {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const { defaultsApplied } = loaded;
  const spoolRoot = loaded.config.uploads.dir ?? defaultSpoolRoot();
  const config = { ...loaded.config, uploads: { ...loaded.config.uploads, dir: spoolRoot } };
  // graphql-upload-ts buffers request files in os.tmpdir(): keep them in this process's spool folder.
  process.env['TMPDIR'] = requestTempDirUnder(spoolRoot);
  const logger = createLogger(config.logLevel, { format: config.logFormat });
  if (defaultsApplied.length > 0) {
    const defaults = Object.fromEntries(defaultsApplied.map(({ name, value }) => [name, value]));
    logger.info({ defaults }, `config: ${defaultsApplied.length} variables unset, using their embedded defaults`);
  }
  logOpenAuth(config.auth.open, config.host, config.hostDefaulted, logger);

  const services = await startServices(config, logger);
  const server = await startGraphQLServer({ config, logger, ...serverDepsOf(services) });
  // The accounts' gateway sessions log as they open: the address to open is then the last line.
  const discordReady = await settled(services.readiness, READY_WAIT_MS);
  logger.info(
    { url: server.url, page: server.pageUrl },
    `picsi-graphql ready${discordReady ? '' : ' (Discord not connected yet)'}: open ${server.pageUrl} (GraphiQL at ${server.url})`,
  );

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info(
      { signal, deadlineMs: config.shutdownTimeoutMs },
      'shutting down: no new requests, running jobs may finish until the deadline',
    );
    try {
      await server.stop();
      await services.close();
      logger.info('shutdown complete');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  // shutdown() handles its own failures (logs, exit 1): it never rejects.
  process.on('SIGTERM', () => shutdown('SIGTERM').catch(() => process.exit(1)));
  process.on('SIGINT', () => shutdown('SIGINT').catch(() => process.exit(1)));
}

/** How long the start waits for the accounts' first gateway session before saying it is ready. */
const READY_WAIT_MS = 5000;

/** Whether every readiness check passed within `withinMs` (each polled until then). */
async function settled(checks: Services['readiness'], withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const results = await Promise.all(checks.map((c) => c.check().catch(() => false)));
    if (results.every(Boolean)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Open mode is a warning only where others can reach it: on a loopback-only address it is how a laptop runs. */
function logOpenAuth(open: boolean, host: string, hostDefaulted: boolean, logger: Logger): void {
  if (!open) return;
  if (hostDefaulted) {
    logger.info(`auth is off (API_TOKENS unset), so HOST defaults to ${host}: only this machine reaches it`);
    return;
  }
  if (isLoopbackHostname(host)) {
    logger.info(`auth is off (API_TOKENS unset): fine on ${host}, which only this machine reaches`);
    return;
  }
  logger.warn(
    `AUTH IS OFF on HOST=${host}: anyone reaching this port can run jobs and manage accounts. Set API_TOKENS, or HOST=127.0.0.1.`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof JournalLocked) {
    console.error(`picsi-graphql failed to start: ${error.message}`);
    process.exit(2);
  }
  console.error('picsi-graphql failed to start:', error);
  process.exit(1);
});
