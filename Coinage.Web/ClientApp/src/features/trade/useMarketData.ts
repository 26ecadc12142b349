import { useEffect, useRef, useState } from 'react';
import { useAppSelector, useRealtime } from '../../app/hooks';
import { selectReconnects } from '../../realtime/connectionSlice';
import type { PublicTrade } from '../../realtime/types';
import { type BookState, receiveSnapshot, receiveUpdate, syncingBook } from './orderBook';
import { useGetRecentTradesQuery, useGetTickersQuery } from './tradingApi';

/** The live order book of `symbol`: hub snapshot + sequenced updates (orderBook.ts). */
export function useOrderBook(symbol: string): BookState {
  const realtime = useRealtime();
  const [book, setBook] = useState<BookState>(syncingBook);
  const current = useRef(book);

  useEffect(() => {
    const set = (next: BookState) => {
      current.current = next;
      setBook(next);
    };
    set(syncingBook());
    let unsubscribe: () => void = () => undefined;
    const handleStep = ({ book: next, resync }: { book: BookState; resync: boolean }) => {
      set(next);
      if (resync) void realtime.resync(symbol);
    };
    unsubscribe = realtime.subscribeMarket(symbol, {
      onResync: () => set(syncingBook(current.current)),
      onSnapshot: (snapshot) => handleStep(receiveSnapshot(current.current, snapshot)),
      onBookUpdate: (update) => handleStep(receiveUpdate(current.current, update)),
    });
    return () => unsubscribe();
  }, [realtime, symbol]);

  return book;
}

const tapeLength = 50;

/** Recent trades of `symbol`, newest first: the REST list, then the hub's trades on top. */
export function useRecentTrades(symbol: string) {
  const realtime = useRealtime();
  const reconnects = useAppSelector(selectReconnects);
  const query = useGetRecentTradesQuery(symbol);
  const [live, setLive] = useState<PublicTrade[]>([]);
  const { refetch } = query;

  useEffect(() => {
    setLive([]);
    return realtime.subscribeMarket(symbol, {
      onTrades: (message) => setLive((current) => [...[...message.trades].reverse(), ...current].slice(0, tapeLength)),
    });
  }, [realtime, symbol]);

  useEffect(() => {
    // Trades sent while the socket was down are lost: the REST list is the truth again.
    if (reconnects > 0) {
      setLive([]);
      void refetch();
    }
  }, [reconnects, refetch]);

  const seen = new Set<string>();
  const trades = [...live, ...(query.data ?? [])].filter((t) => !seen.has(t.id) && seen.add(t.id)).slice(0, tapeLength);
  return { ...query, trades };
}

/** The market's ticker from the tickers cache, which the hub keeps live. */
export function useTicker(symbol: string) {
  return useGetTickersQuery(undefined, { selectFromResult: (r) => ({ ticker: r.data?.find((t) => t.symbol === symbol), isLoading: r.isLoading }) });
}
