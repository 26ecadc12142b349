import { coinageApi } from '../../api/coinageApi';
import type { Page } from '../admin/adminApi';
import { searchParams } from '../compliance/complianceApi';

export interface OrderRow {
  id: string;
  clientOrderId: string | null;
  market: string;
  side: 'buy' | 'sell';
  /** `limit`, `market`, `stop_limit`, `stop_market`, `take_profit_limit`, `take_profit_market`. */
  type: string;
  timeInForce: string;
  postOnly: boolean;
  status: string;
  price: string | null;
  quantity: string | null;
  quoteAmount: string | null;
  filledQuantity: string;
  filledQuote: string;
  averagePrice: string | null;
  fee: string;
  holdAsset: string;
  remainingHold: string;
  createdAt: string;
  updatedAt: string;
  closeReason?: string | null;
  /** Stop and take-profit orders: the last trade price that fires them. */
  triggerPrice?: string | null;
  /** The other leg of its one-cancels-the-other pair. */
  ocoPartnerId?: string | null;
}

export interface FillRow {
  id: string;
  orderId: string;
  market: string;
  side: 'buy' | 'sell';
  liquidity: 'maker' | 'taker';
  price: string;
  quantity: string;
  quoteAmount: string;
  fee: string;
  feeAsset: string;
  createdAt: string;
}

export interface HistoryFilter {
  q?: string;
  market?: string;
  side?: string;
  status?: string;
  liquidity?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

/** The signed-in user's own history: `/api/v1/search/orders` and `/api/v1/search/trades`. */
export const historyApi = coinageApi.injectEndpoints({
  endpoints: (build) => ({
    searchOrders: build.query<Page<OrderRow>, HistoryFilter>({
      query: ({ liquidity: _ignored, ...args }) => ({ url: '/api/v1/search/orders', params: searchParams({ ...args }) }),
    }),
    searchTrades: build.query<Page<FillRow>, HistoryFilter>({
      query: ({ q: _q, status: _s, ...args }) => ({ url: '/api/v1/search/trades', params: searchParams({ ...args }) }),
    }),
  }),
});

export const { useSearchOrdersQuery, useSearchTradesQuery } = historyApi;
