/**
 * This server's origin for links it makes outside a request (the download links in callback bodies):
 * PUBLIC_URL when set, else the address it listens on, known once it listens (PORT=0 picks one).
 * A request's links use that request's own origin instead (src/schema/origin.ts).
 */
export interface PublicOrigin {
  get(): string;
  /** Called by the HTTP server once it listens, with its own origin (http://host:port). */
  listening(origin: string): void;
}

export function createPublicOrigin(publicUrl: string | null, port: number): PublicOrigin {
  let listened: string | null = null;
  return {
    get: () => publicUrl ?? listened ?? `http://localhost:${port}`,
    listening: (origin) => {
      listened = origin;
    },
  };
}
