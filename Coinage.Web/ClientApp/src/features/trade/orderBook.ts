import { Decimal } from '../../money/money';
import type { BookSnapshot, BookUpdate, Level } from '../../realtime/types';

/**
 * The local copy of a market's order book (contract A): a snapshot, then sequenced updates that carry
 * only the changed levels. Until the snapshot lands, updates are buffered; afterwards an update applies
 * only when its `previousSequence` is the book's sequence. Anything else older is a duplicate and is
 * ignored; anything else newer means updates were lost, and the book must be resynced (a fresh snapshot).
 * Pure functions over plain data: the hook keeps the state, these say what happens.
 */
export interface BookState {
  status: 'syncing' | 'live';
  /** The sequence of the last applied snapshot or update; null while syncing. */
  sequence: bigint | null;
  /** Best (highest) first. */
  bids: Level[];
  /** Best (lowest) first. */
  asks: Level[];
  /** Updates received while the snapshot was in flight, in arrival order. */
  buffer: BookUpdate[];
}

export interface BookStep {
  book: BookState;
  /** True when a gap was found: ask for a fresh snapshot (the book is back to syncing). */
  resync: boolean;
}

export function syncingBook(previous?: BookState): BookState {
  // The levels on screen stay until the snapshot replaces them: a resync should not blank the book.
  return { status: 'syncing', sequence: null, bids: previous?.bids ?? [], asks: previous?.asks ?? [], buffer: [] };
}

/** Replaces, adds or (quantity 0) removes levels, keeping `levels` sorted best first. */
export function applyLevels(levels: readonly Level[], changes: readonly Level[], side: 'bids' | 'asks'): Level[] {
  if (changes.length === 0) return levels as Level[];
  const byPrice = new Map<string, Level>();
  for (const level of levels) byPrice.set(new Decimal(level[0]).toString(), level);
  for (const [price, quantity] of changes) {
    const key = new Decimal(price).toString();
    if (new Decimal(quantity).isZero()) byPrice.delete(key);
    else byPrice.set(key, [price, quantity]);
  }
  const sorted = [...byPrice.values()];
  sorted.sort((a, b) => {
    const order = new Decimal(a[0]).comparedTo(b[0]);
    return side === 'bids' ? -order : order;
  });
  return sorted;
}

function apply(book: BookState, update: BookUpdate): BookState {
  return {
    ...book,
    sequence: BigInt(update.sequence),
    bids: applyLevels(book.bids, update.bids, 'bids'),
    asks: applyLevels(book.asks, update.asks, 'asks'),
  };
}

/** One update on a live book: applied, ignored (stale) or a gap. */
function step(book: BookState, update: BookUpdate): BookStep {
  const sequence = BigInt(update.sequence);
  if (book.sequence === null || sequence <= book.sequence) {
    return { book, resync: false };
  }
  if (BigInt(update.previousSequence) !== book.sequence) {
    return { book: syncingBook(book), resync: true };
  }
  return { book: apply(book, update), resync: false };
}

export function receiveUpdate(book: BookState, update: BookUpdate): BookStep {
  if (book.status === 'syncing') {
    return { book: { ...book, buffer: [...book.buffer, update] }, resync: false };
  }
  return step(book, update);
}

/** The snapshot lands: it becomes the book, then the buffered updates newer than it are replayed. */
export function receiveSnapshot(book: BookState, snapshot: BookSnapshot): BookStep {
  let next: BookState = {
    status: 'live',
    sequence: BigInt(snapshot.sequence),
    bids: applyLevels([], snapshot.bids, 'bids'),
    asks: applyLevels([], snapshot.asks, 'asks'),
    buffer: [],
  };
  for (const update of book.buffer) {
    const result = step(next, update);
    if (result.resync) return result;
    next = result.book;
  }
  return { book: next, resync: false };
}
