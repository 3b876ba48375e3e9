/**
 * The InsightFaceSwap bot's error replies, as one table. The exact wordings are not public
 * (inferred, all of them): the simulator sends `sample`, the driver classifies with `pattern`.
 * Correcting a wording means editing one row here; no code branches on the kind.
 */
export type BotErrorKind = 'NO_FACE' | 'INVALID_OPTION' | 'CREDITS_EXHAUSTED' | 'DAILY_LIMIT';

export interface BotReply {
  readonly kind: BotErrorKind;
  /** Error code reported on the job. */
  readonly code: string;
  /** Text the simulated bot sends (inferred). */
  readonly sample: string;
  /** What the classifier matches in the reply's content or embed text (case-insensitive). */
  readonly pattern: RegExp;
  /** Whether resubmitting the same job (possibly on another account) can succeed. */
  readonly retryable: boolean;
}

export const BOT_REPLIES: readonly BotReply[] = [
  {
    kind: 'NO_FACE',
    code: 'NO_FACE',
    sample: 'No face detected in the source image. Please upload a photo with a clearly visible face.',
    pattern: /no faces? (?:were |was )?(?:detected|found)|face (?:was )?not (?:detected|found)|could ?n[o']t (?:detect|find) (?:a |any )?face/i,
    retryable: false,
  },
  {
    kind: 'INVALID_OPTION',
    code: 'INVALID_OPTION',
    sample: 'Invalid option. Supported options: -m, --shut, --ch, --hl, -f, -s, -e N, -o N, -y N, -a, -x.',
    pattern: /invalid (?:option|parameter|argument)|unknown (?:option|flag)|unrecognized (?:option|flag)/i,
    retryable: false,
  },
  {
    kind: 'CREDITS_EXHAUSTED',
    code: 'CREDITS_EXHAUSTED',
    sample: 'You do not have enough credits for this swap. Credits are renewed at 00:00 UTC.',
    pattern: /(?:not|n't) (?:have )?enough credits|out of credits|insufficient credits|no (?:more )?credits/i,
    retryable: true,
  },
  {
    kind: 'DAILY_LIMIT',
    code: 'DAILY_LIMIT',
    sample: 'You have reached your daily limit of swaps. Please try again tomorrow.',
    pattern: /daily limit|try again tomorrow/i,
    retryable: true,
  },
];

/** The table row of a kind; every kind has exactly one row (checked by a test). */
export function botReply(kind: BotErrorKind): BotReply {
  const row = BOT_REPLIES.find((r) => r.kind === kind);
  if (!row) throw new Error(`bot-replies: no row for ${kind}`);
  return row;
}
