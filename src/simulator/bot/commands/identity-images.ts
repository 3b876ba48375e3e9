import { cropFace } from '../face-swap.js';
import {
  IDENTITY_CREDIT_COST,
  IDENTITY_ERRORS,
  IDENTITY_TEXTS,
  ID_NAME_PATTERN,
  MAX_SAVED_IDS,
  MAX_SWAPID_NAMES,
} from '../insightfaceswap-ids.js';
import { publish, swapOntoTarget } from './swap.js';
import { botError, refuse } from './types.js';
import type { CommandHandler } from './types.js';

/** Side of the face the bot keeps for a saved identity. */
const SAVED_FACE_SIDE = 128;

/** /saveid idname image: crops and keeps the face; the reply shows it. Re-saving a name replaces it. */
export const saveid: CommandHandler = {
  deferred: true,
  async run(job, deps) {
    const name = (job.args.strings.get('idname') ?? '').trim();
    const image = job.args.files.get('image');
    if (!ID_NAME_PATTERN.test(name)) return refuse(IDENTITY_ERRORS.INVALID_ID_NAME(name));
    const token = job.user.token;
    if (!deps.identities.get(token, name) && deps.identities.count(token) >= MAX_SAVED_IDS) return refuse(IDENTITY_ERRORS.TOO_MANY_IDS());
    const face = image && (await cropFace(image.bytes, SAVED_FACE_SIDE));
    if (!face) return refuse(IDENTITY_ERRORS.ID_NO_FACE());
    if (!deps.accounts.trySpend(token, IDENTITY_CREDIT_COST.saveid)) return botError('CREDITS_EXHAUSTED');
    deps.identities.save(token, { name, face });
    const attachment = publish(
      job,
      deps,
      { bytes: face, contentType: 'image/png', width: SAVED_FACE_SIDE, height: SAVED_FACE_SIDE },
      `${name}.png`,
    );
    return { kind: 'result', content: IDENTITY_TEXTS.saved(job.user.user.id, name), attachments: [attachment] };
  },
};

/** /swapid idname:<a,b> image: the saved faces, in order, onto the target image or GIF. */
export const swapid: CommandHandler = {
  deferred: true,
  async run(job, deps) {
    const text = job.args.strings.get('idname') ?? '';
    const target = job.args.files.get('image');
    const names = text.split(',').map((n) => n.trim());
    const invalid = names.find((n) => !ID_NAME_PATTERN.test(n));
    if (invalid !== undefined) return refuse(IDENTITY_ERRORS.INVALID_ID_NAME(invalid));
    if (names.length > MAX_SWAPID_NAMES) return refuse(IDENTITY_ERRORS.TOO_MANY_NAMES(names.length));
    const faces: Buffer[] = [];
    for (const name of names) {
      const saved = deps.identities.get(job.user.token, name);
      if (!saved) return refuse(IDENTITY_ERRORS.UNKNOWN_ID(name));
      faces.push(saved.face);
    }
    if (!target) return refuse(IDENTITY_ERRORS.ID_NO_FACE());
    const spelled = names.map((n) => deps.identities.get(job.user.token, n)?.name ?? n);
    return swapOntoTarget(job, deps, faces, target, IDENTITY_CREDIT_COST.swapid, IDENTITY_TEXTS.swapped(job.user.user.id, spelled));
  },
};
