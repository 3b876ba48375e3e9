/**
 * The kit each part of the configuration (./server.ts, ./redis.ts, …) declares its environment
 * variables with, and the one loop that reads them: each value validated on its own, every problem
 * named, the embedded defaults taken reported for the start-up log.
 */
import { z } from 'zod';

export interface VariableSpec {
  schema: z.ZodType;
  /** Applied when the variable is unset; undefined: it stays unset. */
  default: string | undefined;
  /** A token or password: a problem with it never echoes the value. */
  secret?: true;
}

export type VariableTable = Record<string, VariableSpec>;

/** The validated values of a table: a variable with a default is always there. */
export type Parsed<V extends VariableTable> = {
  [K in keyof V]: z.output<V[K]['schema']> | (V[K]['default'] extends string ? never : undefined);
};

export interface AppliedDefault {
  name: string;
  value: string;
}

export const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** A comma-separated list, blanks dropped. */
export const commaList = z.string().transform((s) =>
  s
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean),
);

export const withoutTrailingSlashes = (url: string) => url.replace(/\/+$/, '');

export function parseVariables<V extends VariableTable>(
  variables: V,
  env: Record<string, string | undefined>,
  problems: string[],
  defaultsApplied: AppliedDefault[],
): Parsed<V> {
  const parsed: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(variables)) {
    const raw = env[name]?.trim() || undefined;
    const value = raw ?? spec.default;
    if (raw === undefined && spec.default !== undefined) defaultsApplied.push({ name, value: spec.default });
    if (value === undefined) continue;
    const result = spec.schema.safeParse(value);
    if (result.success) parsed[name] = result.data;
    else {
      const shown = spec.secret ? '' : ` (got ${JSON.stringify(truncate(value))})`;
      problems.push(`${name}: ${result.error.issues.map((i) => i.message).join('; ')}${shown}`);
    }
  }
  return parsed as Parsed<V>;
}

const truncate = (s: string) => (s.length > 40 ? `${s.slice(0, 37)}...` : s);
