/**
 * What every part of the Redis coordinator shares: the `commands` connection, the keyspace
 * (../keys.ts), the Lua scripts (./lua, loaded by src/redis/scripts.ts) and `runWrite`, which adds the
 * standard KEYS and ARGV of every job write (lua/includes/job-writes.lua).
 */
import type { Logger } from 'pino';
import { decodeJob } from '../../../redis/job-json.js';
import type { RedisClient } from '../../../redis/connect.js';
import { publishCommand, type PublishCommand } from '../../../redis/pubsub.js';
import { defineScripts, type ScriptArg, type ScriptRunner } from '../../../redis/scripts.js';
import type { CallbackTaskRule } from '../port.js';
import { executorKeys, type ExecutorKeys } from '../keys.js';

export const SCRIPTS = [
  'create-job',
  'claim',
  'renew',
  'update-job',
  'mark-command-sent',
  'reap',
  'discard-queued',
  'restore-job',
  'ensure-epoch',
  'list-jobs',
  'queue-position',
  'upsert-account',
  'set-account-health',
  'set-foreign-command',
  'hand-back',
  'peek-next',
  'left-queue',
  'recount-reservations',
  'release-for-copy',
] as const;
export type ScriptName = (typeof SCRIPTS)[number];

export type RunWrite = (name: ScriptName, extraKeys: string[], args: ScriptArg[], nowMs?: number) => Promise<unknown>;

export interface RedisStore {
  commands: RedisClient;
  keys: ExecutorKeys;
  scripts: ScriptRunner<ScriptName>;
  /** Runs a job-writing script with the standard KEYS and ARGV first. */
  runWrite: RunWrite;
  /** The topology's publish command (PUBLISH, or SPUBLISH on a Cluster), as scripts take it. */
  publishWith: PublishCommand;
  now: () => number;
  logger: Logger;
}

export interface RedisStoreOptions {
  prefix: string;
  logger: Logger;
  callbacks?: CallbackTaskRule | undefined;
  now?: (() => number) | undefined;
}

export const jobOrNull = (out: unknown, id: string) => (out ? decodeJob(out, id) : null);

export function redisStore(commands: RedisClient, options: RedisStoreOptions): RedisStore {
  const keys = executorKeys(options.prefix);
  const scripts = defineScripts(commands, 'picsi', new URL('./lua/', import.meta.url), SCRIPTS);
  const jobKeys = [
    keys.jobPrefix,
    keys.leasePrefix,
    keys.holderPrefix,
    keys.queuePrefix,
    keys.queueSeq,
    keys.running,
    keys.indexPrefix,
    keys.callbackTaskPrefix,
    keys.callbackDue,
    keys.queueChannels,
  ];
  const now = options.now ?? Date.now;
  const publishWith = publishCommand(commands);
  const writeArgs = (nowMs = now()): ScriptArg[] => [
    keys.event(''),
    new Date(nowMs).toISOString(),
    options.callbacks?.defaultUrl ?? '',
    nowMs,
    publishWith,
  ];
  const runWrite: RunWrite = (name, extraKeys, args, nowMs) =>
    scripts.run(name, [...jobKeys, ...extraKeys], [...writeArgs(nowMs), ...args]);
  return { commands, keys, scripts, runWrite, publishWith, now, logger: options.logger };
}
