/**
 * An upload as the job service takes it: already in the blob store. Spooling it there is HTTP
 * request handling (src/http/upload-spool.ts); the schema and the service only see these types.
 */

/** An uploaded image, stored in the blob store under `key` until its job is terminal. */
export interface StagedFile {
  key: string;
  filename: string;
  size: number;
  /** The type the bytes show (PNG, JPEG, GIF or WebP), never the client's declared one. */
  contentType: string;
  /** Frames, counted from the file's structure when it was uploaded (1 for a still image). */
  frames?: number;
}

export interface UploadSpooler {
  /** Spools one upload; `field` names the argument in error messages. Throws AppError BAD_USER_INPUT. */
  spool(upload: unknown, field: string): Promise<StagedFile>;
  discard(...files: (StagedFile | null | undefined)[]): Promise<void>;
}
