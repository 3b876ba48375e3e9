/**
 * What a user gateway remembers of its session to RESUME it: the session id and resume URL from
 * READY, the last dispatch sequence, and the user id.
 */
import type { ReadyFields } from './gateway-frames.js';

export class GatewaySession {
  private sessionIdValue: string | undefined;
  private resumeUrlValue: string | undefined;
  private userIdValue: string | undefined;
  private seqValue: number | null = null;

  get sessionId(): string | undefined {
    return this.sessionIdValue;
  }
  get resumeUrl(): string | undefined {
    return this.resumeUrlValue;
  }
  get userId(): string | undefined {
    return this.userIdValue;
  }
  /** The last sequence number seen (heartbeats and RESUME carry it). */
  get seq(): number | null {
    return this.seqValue;
  }

  noteSeq(seq: number): void {
    this.seqValue = seq;
  }

  ready(fields: ReadyFields): void {
    this.sessionIdValue = fields.sessionId;
    this.resumeUrlValue = fields.resumeUrl ?? this.resumeUrlValue;
    this.userIdValue = fields.userId;
  }

  canResume(): boolean {
    return this.sessionIdValue !== undefined && this.seqValue !== null && this.resumeUrlValue !== undefined;
  }

  /** The RESUME payload, or null when the session cannot be resumed. */
  resumeData(token: string): { token: string; session_id: string; seq: number } | null {
    if (this.sessionIdValue === undefined || this.seqValue === null) return null;
    return { token, session_id: this.sessionIdValue, seq: this.seqValue };
  }

  /** The session is gone (invalid session, a session-ending close): the next connect IDENTIFYs. */
  forget(): void {
    this.sessionIdValue = undefined;
    this.seqValue = null;
  }
}
