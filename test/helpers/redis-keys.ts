/** Deletes every key under a prefix on a shared Redis, so test runs leave nothing behind. */
import { Redis } from 'ioredis';
import { hashTagOf } from '../../src/redis/hash-tag.js';

/** The keys of a REDIS_PREFIX: plain ones (`<prefix>…`) and the executor's hash-tagged ones (`{prefix}:…`). */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    for (const pattern of [`${prefix}*`, `${hashTagOf(prefix).replace(/[*?[\]\\]/g, '\\$&')}*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0) deleted += await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}
