/** A sorted array of unique strings or numbers with binary search: the in-process stand-in for a zset. */
export class SortedList<T extends string | number> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Index of the first item ≥ value. */
  private lowerBound(value: T): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(value: T): void {
    const at = this.lowerBound(value);
    if (this.items[at] !== value) this.items.splice(at, 0, value);
  }

  delete(value: T): boolean {
    const at = this.lowerBound(value);
    if (this.items[at] !== value) return false;
    this.items.splice(at, 1);
    return true;
  }

  has(value: T): boolean {
    return this.items[this.lowerBound(value)] === value;
  }

  first(): T | undefined {
    return this.items[0];
  }

  last(): T | undefined {
    return this.items.at(-1);
  }

  /** How many items are < value. */
  countBelow(value: T): number {
    return this.lowerBound(value);
  }

  /** Up to `count` items < `below` (all when undefined), largest first. */
  descendingBelow(below: T | undefined, count: number): T[] {
    const end = below === undefined ? this.items.length : this.lowerBound(below);
    return this.items.slice(Math.max(0, end - count), end).reverse();
  }

  values(): readonly T[] {
    return this.items;
  }
}
