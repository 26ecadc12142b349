import { useState } from 'react';

/** A page of a cursor-paginated list of the API: the items and the cursor of the next (older) page, if any. */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Cursor pagination: the cursors of the pages behind us, so "previous" needs no backwards cursor from the API.
 * The API only knows "the page after this cursor", so page N is reached by walking from page 1.
 */
export function useCursorPages() {
  const [stack, setStack] = useState<string[]>([]);
  const cursor = stack.at(-1);
  return {
    cursor,
    /** 1-based. */
    page: stack.length + 1,
    next: (nextCursor: string) => setStack((s) => [...s, nextCursor]),
    previous: () => setStack((s) => s.slice(0, -1)),
    reset: () => setStack([]),
  };
}

export type CursorPages = ReturnType<typeof useCursorPages>;
