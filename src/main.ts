/**
 * `npm start` (or `node dist/main.js` after `npm run build`): loads the configuration (the embedded
 * defaults taken are logged in one line), builds the services and serves the web page, GraphQL
 * over HTTP and websockets. SIGTERM/SIGINT shut down gracefully.
 */
import { ConfigError, loadConfig } from './config.js';
import { JournalLocked } from './executor/journal.js';
import { createLogger } from './logger.js';
import { serverDepsOf, startServices } from './services.js';
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
  const logger = createLogger(config.logLevel);
  if (defaultsApplied.length > 0) {
    const defaults = Object.fromEntries(defaultsApplied.map(({ name, value }) => [name, value]));
    logger.info({ defaults }, `config: ${defaultsApplied.length} variables unset, using their embedded defaults`);
  }
  if (config.auth.open) {
    logger.warn(
      'AUTH IS OFF: API_TOKENS and ADMIN_TOKENS are unset, so anyone who can reach this port can run jobs and manage accounts. Set API_TOKENS (and ADMIN_TOKENS) before exposing it.',
    );
  }

  const services = await startServices(config, logger);
  const server = await startGraphQLServer({ config, logger, ...serverDepsOf(services) });
  logger.info({ url: server.url, page: server.pageUrl }, `picsi-graphql ready: open ${server.pageUrl} (GraphiQL at ${server.url})`);

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

main().catch((error: unknown) => {
  if (error instanceof JournalLocked) {
    console.error(`picsi-graphql failed to start: ${error.message}`);
    process.exit(2);
  }
  console.error('picsi-graphql failed to start:', error);
  process.exit(1);
});
