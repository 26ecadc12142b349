import { useCallback, useEffect } from 'react';
import { useRealtime } from '../../app/hooks';
import type { Ticker } from '../../realtime/types';
import { useGetMarketsQuery, useGetTickersQuery } from '../trade/tradingApi';

/**
 * Every market with its live 24-hour ticker: REST markets and tickers first, then the hub's `ticker` messages patch
 * the tickers cache in place. Subscribing to a market is what brings its tickers, so the hook follows every listed
 * market while the caller is mounted (the markets page and the home page's overview).
 */
export function useLiveMarkets() {
  const markets = useGetMarketsQuery();
  const tickers = useGetTickersQuery();
  const realtime = useRealtime();
  // A string, so a refetch answering the same markets does not resubscribe.
  const symbols = (markets.data ?? []).map((m) => m.symbol).join(',');

  useEffect(() => {
    if (symbols === '') return;
    const leaves = symbols.split(',').map((symbol) => realtime.subscribeMarket(symbol, {}));
    return () => leaves.forEach((leave) => leave());
  }, [realtime, symbols]);

  const tickerOf = useCallback((symbol: string): Ticker | undefined => tickers.data?.find((t) => t.symbol === symbol), [tickers.data]);
  return { markets, tickers, rows: markets.data ?? [], tickerOf };
}

export type LiveMarkets = ReturnType<typeof useLiveMarkets>;
