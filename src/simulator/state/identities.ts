import type { SetIdSlot } from '../bot/insightfaceswap-ids.js';

export interface SavedIdentity {
  name: string;
  /** The face as the bot cropped it from the /saveid image (PNG). */
  face: Buffer;
}

export interface IdentitySnapshot {
  /** In saving order. */
  names: string[];
  /** The id /swapid-less swaps would use: the last /saveid, or the /setid text once set. */
  defaultId: string | undefined;
}

interface Book {
  /** Insertion order is saving order; a re-save moves the name to the end. */
  ids: Map<string, SavedIdentity>;
  selection: { slots: SetIdSlot[]; greedy: boolean } | undefined;
}

/**
 * Saved identities per Discord user (by token): identities belong to the account, not to a
 * channel. Names compare case-insensitively and keep the spelling of the last save.
 */
export class IdentityStore {
  private readonly books = new Map<string, Book>();

  list(token: string): SavedIdentity[] {
    return [...this.book(token).ids.values()];
  }

  get(token: string, name: string): SavedIdentity | undefined {
    return this.book(token).ids.get(name.toLowerCase());
  }

  count(token: string): number {
    return this.book(token).ids.size;
  }

  /** Saves (or replaces) an identity; it becomes the default. */
  save(token: string, identity: SavedIdentity): void {
    const book = this.book(token);
    const key = identity.name.toLowerCase();
    book.ids.delete(key);
    book.ids.set(key, identity);
    book.selection = undefined;
  }

  /** False when no such identity. A /setid naming it is forgotten too. */
  delete(token: string, name: string): boolean {
    const book = this.book(token);
    const deleted = book.ids.delete(name.toLowerCase());
    if (deleted && book.selection?.slots.some((s) => s.names.some((n) => n.toLowerCase() === name.toLowerCase())))
      book.selection = undefined;
    return deleted;
  }

  /** Deletes every identity; returns how many there were. */
  clear(token: string): number {
    const book = this.book(token);
    const count = book.ids.size;
    book.ids.clear();
    book.selection = undefined;
    return count;
  }

  select(token: string, slots: SetIdSlot[], greedy: boolean): void {
    this.book(token).selection = { slots, greedy };
  }

  snapshot(token: string): IdentitySnapshot {
    const book = this.book(token);
    const names = [...book.ids.values()].map((i) => i.name);
    const selected = book.selection?.slots.map((s) => (s.names.length === 0 ? '_' : s.names.join('+'))).join(',');
    return { names, defaultId: selected ?? names.at(-1) };
  }

  private book(token: string): Book {
    let book = this.books.get(token);
    if (!book) {
      book = { ids: new Map(), selection: undefined };
      this.books.set(token, book);
    }
    return book;
  }
}
