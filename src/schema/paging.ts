/** Page sizes of the connections (jobs): what `first` may be, and what it is when unset. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
