/**
 * The callback tasks' keys, under the deployment's hash tag: the executor's terminal write creates a
 * task in the same script as the job's terminal state (src/executor/store/keys.ts lists them with its own).
 */
import { hashTagOf } from '../redis/hash-tag.js';

export function callbackKeys(prefix: string) {
  const k = hashTagOf(prefix);
  return {
    /** `<taskPrefix><jobId>`: the job's delivery task (hash). */
    taskPrefix: `${k}callback:task:`,
    /** job id → when its next attempt is due (zset). */
    due: `${k}callback:due`,
  };
}
