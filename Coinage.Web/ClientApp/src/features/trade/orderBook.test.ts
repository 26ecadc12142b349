import { describe, expect, it } from 'vitest';
import type { BookSnapshot, BookUpdate } from '../../realtime/types';
import { applyLevels, receiveSnapshot, receiveUpdate, syncingBook } from './orderBook';

const snapshot: BookSnapshot = {
  market: 'BTC-USD',
  sequence: '100',
  bids: [
    ['99', '1'],
    ['98', '2'],
  ],
  asks: [
    ['101', '0.5'],
    ['102', '3'],
  ],
  at: '2026-11-24T09:00:00Z',
};

function update(previous: number, sequence: number, bids: [string, string][] = [], asks: [string, string][] = []): BookUpdate {
  return { market: 'BTC-USD', previousSequence: String(previous), sequence: String(sequence), bids, asks };
}

function live() {
  return receiveSnapshot(syncingBook(), snapshot).book;
}

describe('order book merge', () => {
  it('takes the snapshot as the book, best levels first', () => {
    const book = live();
    expect(book.status).toBe('live');
    expect(book.sequence).toBe(100n);
    expect(book.bids.map((l) => l[0])).toEqual(['99', '98']);
    expect(book.asks.map((l) => l[0])).toEqual(['101', '102']);
  });

  it('applies an update that follows the book: changes, adds and removes levels in order', () => {
    const { book, resync } = receiveUpdate(live(), update(100, 101, [['99', '0'], ['99.5', '4'], ['97', '1']], [['102', '1.25']]));
    expect(resync).toBe(false);
    expect(book.sequence).toBe(101n);
    expect(book.bids).toEqual([
      ['99.5', '4'],
      ['98', '2'],
      ['97', '1'],
    ]);
    expect(book.asks).toEqual([
      ['101', '0.5'],
      ['102', '1.25'],
    ]);
  });

  it('ignores updates at or before the book sequence', () => {
    const book = live();
    expect(receiveUpdate(book, update(99, 100, [['99', '0']]))).toEqual({ book, resync: false });
    expect(receiveUpdate(book, update(90, 95, [['99', '0']]))).toEqual({ book, resync: false });
  });

  it('asks for a resync on a gap and keeps the levels on screen meanwhile', () => {
    const { book, resync } = receiveUpdate(live(), update(101, 102, [['99', '0']]));
    expect(resync).toBe(true);
    expect(book.status).toBe('syncing');
    expect(book.sequence).toBeNull();
    expect(book.bids.map((l) => l[0])).toEqual(['99', '98']);
  });

  it('buffers updates while the snapshot is in flight, then replays those newer than the snapshot', () => {
    let book = syncingBook();
    for (const u of [update(98, 99, [['50', '1']]), update(99, 100, [['51', '1']]), update(100, 101, [['99', '7']]), update(101, 102, [], [['101', '0']])]) {
      const result = receiveUpdate(book, u);
      expect(result.resync).toBe(false);
      book = result.book;
    }
    expect(book.buffer).toHaveLength(4);

    const result = receiveSnapshot(book, snapshot);

    expect(result.resync).toBe(false);
    expect(result.book.sequence).toBe(102n);
    expect(result.book.buffer).toEqual([]);
    expect(result.book.bids).toEqual([
      ['99', '7'],
      ['98', '2'],
    ]);
    expect(result.book.asks).toEqual([['102', '3']]);
  });

  it('resyncs when the buffered updates do not connect to the snapshot', () => {
    const buffered = receiveUpdate(syncingBook(), update(101, 102, [['99', '0']])).book;
    const result = receiveSnapshot(buffered, snapshot);
    expect(result.resync).toBe(true);
    expect(result.book.status).toBe('syncing');
  });

  it('compares sequences as 64-bit integers, not as text or doubles', () => {
    const big: BookSnapshot = { ...snapshot, sequence: '9007199254740993' };
    const book = receiveSnapshot(syncingBook(), big).book;
    const next = receiveUpdate(book, { ...update(0, 0, [['99', '0']]), previousSequence: '9007199254740993', sequence: '9007199254740994' });
    expect(next.resync).toBe(false);
    expect(next.book.sequence).toBe(9007199254740994n);
    expect(next.book.bids.map((l) => l[0])).toEqual(['98']);
  });

  it('treats "99" and "99.00" as the same price level', () => {
    expect(applyLevels([['99.00', '1']], [['99', '2']], 'bids')).toEqual([['99', '2']]);
  });
});
