import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Viewer } from '../auth/viewer.js';
import type { JobService } from '../jobs/job-service.js';
import type { UploadSpooler } from '../jobs/staged-file.js';

/** Everything a resolver may use; built per request (HTTP) or per operation (websocket). */
export interface GraphQLContext {
  viewer: Viewer;
  jobs: JobService;
  spooler: UploadSpooler;
  /** Refuses replyUrls the callback dispatcher would never deliver to (SSRF guard); BAD_USER_INPUT. */
  checkReplyUrl(url: string): Promise<void>;
  config: Config;
  logger: Logger;
}
