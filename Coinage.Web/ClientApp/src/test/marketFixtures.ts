import type { Market } from '../features/trade/tradingApi';
import type { BookSnapshot, FillMessage, Ticker } from '../realtime/types';

export const btcUsd: Market = {
  symbol: 'BTC-USD',
  baseAsset: 'BTC',
  quoteAsset: 'USD',
  basePrecision: 8,
  quotePrecision: 2,
  tickSize: '1',
  lotSize: '0.01',
  minQuantity: '0.01',
  minNotional: '10',
  makerFeeBps: '10',
  takerFeeBps: '20',
  status: 'open',
};

export const ethUsd: Market = { ...btcUsd, symbol: 'ETH-USD', baseAsset: 'ETH', tickSize: '0.1', lotSize: '0.1', minQuantity: '0.1' };

export function ticker(symbol: string, last: string | null, changePercent24h: string | null = null): Ticker {
  return {
    symbol,
    last,
    open24h: null,
    high24h: null,
    low24h: null,
    change24h: null,
    changePercent24h,
    volume24h: '0',
    quoteVolume24h: '0',
    bestBid: null,
    bestAsk: null,
    at: '2026-11-24T09:00:00Z',
  };
}

export const btcBook: BookSnapshot = {
  market: 'BTC-USD',
  sequence: '10',
  bids: [
    ['64999', '0.5'],
    ['64990', '1.25'],
  ],
  asks: [
    ['65001', '0.2'],
    ['65010', '2'],
  ],
  at: '2026-11-24T09:00:00Z',
};

/** The private `fill` of a maker buy of 0.1 BTC at 64,000 USD (order 7). */
export const btcBuyFill: FillMessage = {
  tradeId: '9',
  orderId: '7',
  market: 'BTC-USD',
  side: 'buy',
  liquidity: 'maker',
  price: '64000',
  quantity: '0.1',
  quoteAmount: '6400',
  fee: '6.4',
  feeAsset: 'USD',
  at: '2026-11-24T09:02:00Z',
};
