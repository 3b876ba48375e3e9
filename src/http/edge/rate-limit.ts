/**
 * The per-token request rate limit (TOKEN_RATE_LIMIT requests per TOKEN_RATE_WINDOW_SECONDS, a
 * fixed window): rate-limiter-flexible, counting in the shared Redis when the job store is Redis
 * (every instance counts against one budget), in memory with the embedded store (one instance).
 * While Redis cannot be reached each instance counts on its own (the memory insurance limiter),
 * so an outage of the counter never refuses or waves through every request.
 */
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../../config.js';
import { createRedisClient, type RedisClient } from '../../redis/connect.js';

export interface RequestRateLimiter {
  /** Counts one request of `key`: null when it may proceed, else the whole seconds to wait (at least 1). */
  consume(key: string): Promise<number | null>;
  close(): Promise<void>;
}

export function createRequestRateLimiter(config: Pick<Config, 'limits' | 'redis'>, logger: Logger): RequestRateLimiter | null {
  const rate = config.limits.tokenRate;
  if (!rate) return null;
  const options = { points: rate.points, duration: rate.windowSeconds };
  const memory = new RateLimiterMemory(options);
  let client: RedisClient | null = null;
  let limiter: RateLimiterAbstract = memory;
  if (config.redis.connection) {
    client = createRedisClient(config.redis.connection, 'commands', { connectionName: 'picsi:ratelimit', lazyConnect: false });
    client.on('error', (error: Error) => logger.debug({ err: error.message }, 'rate limit: redis connection error'));
    limiter = new RateLimiterRedis({
      ...options,
      storeClient: client,
      keyPrefix: `${config.redis.prefix}ratelimit`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  }
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
        return null;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw rejection;
      }
    },
    async close() {
      client?.disconnect();
    },
  };
}
