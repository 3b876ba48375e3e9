import { PICSI_CREDIT_COST, resultContent } from '../insightfaceswap.js';
import { optionsAreValid } from '../option-check.js';
import { swapOntoTarget } from './swap.js';
import { botError } from './types.js';
import type { CommandHandler } from './types.js';

/** /picsi: the source's face onto the target image or GIF. */
export const picsi: CommandHandler = {
  deferred: true,
  async run(job, deps) {
    const names = deps.picsiOptionNames;
    const source = job.args.files.get(names.source);
    const target = job.args.files.get(names.target);
    if (!source || !target) return botError('NO_FACE');
    const credits = deps.accounts.credits(job.user.token);
    if (credits.total - credits.used < PICSI_CREDIT_COST) return botError('CREDITS_EXHAUSTED');
    if (!optionsAreValid(job.args.strings.get(names.options))) return botError('INVALID_OPTION');
    return swapOntoTarget(job, deps, [source.bytes], target, PICSI_CREDIT_COST, resultContent(job.user.user.id));
  },
};
