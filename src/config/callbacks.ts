/** Result callbacks: how they are signed, where they may go, how often they are tried. */
import { z } from 'zod';
import { commaList, int, type Parsed } from './variables.js';

export const CALLBACK_VARIABLES = {
  CALLBACK_SECRET: {
    schema: z
      .string()
      .min(16, 'must be at least 16 characters')
      .refine(
        (s) => !s.startsWith('whsec_') || /^whsec_[A-Za-z0-9+/]{16,}={0,2}$/.test(s),
        'a whsec_ secret must be whsec_ followed by base64',
      ),
    default: undefined,
    secret: true,
  },
  CALLBACK_DEFAULT_URL: { schema: z.string().url(), default: undefined },
  CALLBACK_MAX_ATTEMPTS: { schema: int(1, 50), default: '8' },
  CALLBACK_TIMEOUT_MS: { schema: int(100), default: '10000' },
  CALLBACK_ALLOW_HOSTS: { schema: commaList, default: undefined },
} as const;

export interface CallbacksConfig {
  secret: string | null;
  defaultUrl: string | null;
  maxAttempts: number;
  timeoutMs: number;
  allowHosts: string[];
}

export const callbacksConfigOf = (p: Parsed<typeof CALLBACK_VARIABLES>): CallbacksConfig => ({
  secret: p.CALLBACK_SECRET ?? null,
  defaultUrl: p.CALLBACK_DEFAULT_URL ?? null,
  maxAttempts: p.CALLBACK_MAX_ATTEMPTS,
  timeoutMs: p.CALLBACK_TIMEOUT_MS,
  allowHosts: p.CALLBACK_ALLOW_HOSTS ?? [],
});
