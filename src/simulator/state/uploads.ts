import { randomUUID } from 'node:crypto';

export interface UploadSlot {
  /** `upload_filename` as given to the client: `<uuid>/<filename>`. */
  uploadFilename: string;
  uploadId: string;
  token: string;
  channelId: string;
  filename: string;
  expectedSize: number;
  bytes?: Buffer;
}

export type PutResult = { ok: true; channelId: string } | { ok: false; reason: 'unknown' | 'sizeMismatch'; channelId?: string };

/**
 * Upload slots from POST /channels/{id}/attachments. Bytes arrive by an unauthenticated PUT;
 * a slot can be referenced by an interaction once its bytes are in, and is consumed when an
 * interaction using it is accepted.
 */
export class UploadStore {
  private readonly slots = new Map<string, UploadSlot>();

  create(token: string, channelId: string, filename: string, expectedSize: number): UploadSlot {
    const slot: UploadSlot = {
      uploadFilename: `${randomUUID()}/${filename}`,
      uploadId: randomUUID().replaceAll('-', ''),
      token,
      channelId,
      filename,
      expectedSize,
    };
    this.slots.set(slot.uploadFilename, slot);
    return slot;
  }

  put(uploadFilename: string, uploadId: string | null, bytes: Buffer): PutResult {
    const slot = this.slots.get(uploadFilename);
    if (!slot || slot.uploadId !== uploadId) return { ok: false, reason: 'unknown' };
    if (bytes.length !== slot.expectedSize) return { ok: false, reason: 'sizeMismatch', channelId: slot.channelId };
    slot.bytes = bytes;
    return { ok: true, channelId: slot.channelId };
  }

  /** The slot if it exists, belongs to this user and channel, and its bytes were uploaded. */
  uploaded(uploadFilename: string, token: string, channelId: string): (UploadSlot & { bytes: Buffer }) | undefined {
    const slot = this.slots.get(uploadFilename);
    if (!slot || slot.token !== token || slot.channelId !== channelId || !slot.bytes) return undefined;
    return { ...slot, bytes: slot.bytes };
  }

  consume(uploadFilename: string): void {
    this.slots.delete(uploadFilename);
  }
}
