/**
 * One loader for every Lua script (the executor's and the callbacks'): a script is a file
 * `<name>-<numKeys>.lua` whose header documents its KEYS and ARGV; `-- @include <file>` lines pull in
 * shared helpers from the folder's `includes/`. Each becomes an ioredis command (`defineCommand`:
 * EVALSHA, falling back to EVAL), called as `run(name, keys, args)`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { RedisClient } from './connect.js';

export type ScriptArg = string | number;

export interface ScriptRunner<Name extends string> {
  run(name: Name, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown>;
}

const FILE = /^([a-z][a-z0-9-]*)-(\d+)\.lua$/;
const INCLUDE = /^-- @include ([a-z0-9-]+)\s*$/gm;

interface ScriptFile {
  name: string;
  numberOfKeys: number;
  lua: string;
}

/** Reads every script of `folder` (a file URL ending in '/'), includes resolved. */
export function readScripts(folder: URL): ScriptFile[] {
  return readdirSync(folder)
    .map((file) => FILE.exec(file))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([file, name, keys]) => ({
      name: name!,
      numberOfKeys: Number(keys),
      lua: withIncludes(readFileSync(new URL(file, folder), 'utf8'), folder),
    }));
}

function withIncludes(source: string, folder: URL): string {
  return source.replace(INCLUDE, (_line, include: string) => readFileSync(new URL(`includes/${include}.lua`, folder), 'utf8'));
}

const commandName = (namespace: string, name: string) =>
  namespace + name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

/**
 * Defines the scripts of `folder` on `redis` (once per connection and namespace) and returns a
 * runner that refuses a script name that is not there or a KEYS count that does not match.
 */
export function defineScripts<Name extends string>(
  redis: RedisClient,
  namespace: string,
  folder: URL,
  names: readonly Name[],
): ScriptRunner<Name> {
  const scripts = new Map(readScripts(folder).map((s) => [s.name, s]));
  for (const name of names) {
    const script = scripts.get(name);
    if (!script) throw new Error(`no Lua script ${name}-<n>.lua in ${folder.pathname}`);
    if (!(commandName(namespace, name) in redis))
      redis.defineCommand(commandName(namespace, name), { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
  return {
    run(name, keys, args) {
      const script = scripts.get(name)!;
      if (keys.length !== script.numberOfKeys) throw new Error(`script ${name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
      const command = (redis as unknown as Record<string, (...a: ScriptArg[]) => Promise<unknown>>)[commandName(namespace, name)]!;
      return command.call(redis, ...keys, ...args);
    },
  };
}
