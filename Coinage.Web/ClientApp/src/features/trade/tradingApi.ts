import { coinageApi } from '../../api/coinageApi';
import type { Amount } from '../../money/money';
import type { BalanceMessage, Candle, OrderStatus, PublicTrade, Ticker } from '../../realtime/types';
import type { CloseReason } from './closeReasons';

/** `MarketResponse` of the ApiService: a market's trading rules. */
export interface Market {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  basePrecision: number;
  quotePrecision: number;
  tickSize: Amount;
  lotSize: Amount;
  minQuantity: Amount;
  minNotional: Amount;
  makerFeeBps: Amount;
  takerFeeBps: Amount;
  status: MarketStatus;
  /** Who set the status: an Admin's kill switch or the circuit breaker. */
  statusSource?: 'admin' | 'circuit_breaker';
  /** When the circuit breaker's phase ends by itself; null when an Admin set the status. */
  statusUntil?: string | null;
  /** When the status last changed, as the hub said (`marketStatus.at`); unknown until a change is pushed. */
  statusSince?: string | null;
}

/**
 * `open` trades; `halted` and `cancel_only` both refuse new orders and take cancels. They say different things: halted
 * is stopped, cancel-only is reopening soon (docs/exchange.md, Risk controls).
 */
export type MarketStatus = 'open' | 'halted' | 'cancel_only';

export type Balance = BalanceMessage;

export interface Order {
  id: string;
  clientOrderId: string | null;
  market: string;
  side: 'buy' | 'sell';
  type: OrderType;
  timeInForce: 'GTC' | 'IOC' | 'FOK';
  postOnly: boolean;
  status: OrderStatus;
  price: Amount | null;
  quantity: Amount | null;
  quoteAmount: Amount | null;
  filledQuantity: Amount;
  filledQuote: Amount;
  averagePrice: Amount | null;
  fee: Amount;
  holdAsset: string;
  remainingHold: Amount;
  createdAt: string;
  updatedAt: string;
  /** Why a cancelled or rejected order ended; null otherwise. */
  closeReason: CloseReason | null;
  /** Stop and take-profit orders: the last trade price that fires them; null for the others. */
  triggerPrice?: Amount | null;
  /** When the trigger fired; null while it waits and for other orders. */
  triggeredAt?: string | null;
  /** The other leg of its one-cancels-the-other pair; null for orders placed alone. */
  ocoPartnerId?: string | null;
  /** Why the exchange refused the order's last amend after accepting it (orders/amendRejections); null otherwise. */
  lastAmendRejection?: string | null;
}

/** The order types of the API: limit and market, and the same armed with a stop or take-profit trigger. */
export type OrderType = 'limit' | 'market' | 'stop_limit' | 'stop_market' | 'take_profit_limit' | 'take_profit_market';

/**
 * When an armed order fires: a buy stop and a sell take-profit as the price rises to the trigger (≥), a sell stop
 * and a buy take-profit as it falls to it (≤). Null for plain orders.
 */
export function triggerDirection(order: Pick<Order, 'type' | 'side'>): '≥' | '≤' | null {
  if (order.type.startsWith('stop_')) return order.side === 'buy' ? '≥' : '≤';
  if (order.type.startsWith('take_profit_')) return order.side === 'buy' ? '≤' : '≥';
  return null;
}

export interface Fill {
  id: string;
  orderId: string;
  market: string;
  side: 'buy' | 'sell';
  liquidity: 'maker' | 'taker';
  price: Amount;
  quantity: Amount;
  quoteAmount: Amount;
  fee: Amount;
  feeAsset: string;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PlaceOrderRequest {
  market: string;
  side: 'buy' | 'sell';
  type: OrderType;
  timeInForce: 'GTC' | 'IOC' | 'FOK';
  price?: Amount;
  /** Stop and take-profit orders: the last trade price that fires them. */
  triggerPrice?: Amount;
  quantity?: Amount;
  quoteAmount?: Amount;
  postOnly: boolean;
  /** Makes a retry of the same submission return the same order instead of placing a second one. */
  clientOrderId: string;
}

/**
 * `POST /api/v1/orders/oco`: a GTC limit leg at `price` and a stop leg fired at `triggerPrice`, a stop-limit at
 * `stopPrice` or, without one, a stop-market; one hold for the pair, the larger leg's need.
 */
export interface PlaceOcoRequest {
  market: string;
  side: 'buy' | 'sell';
  quantity: Amount;
  price: Amount;
  triggerPrice: Amount;
  stopPrice?: Amount;
  clientOrderId: string;
}

export interface OcoResponse {
  limit: Order;
  stop: Order;
}

/** `PATCH /api/v1/orders/{id}`: a new price and/or a new total size (more than filled) of a resting limit order. */
export interface AmendOrderRequest {
  id: string;
  price?: Amount;
  quantity?: Amount;
}

/** The candle intervals the API serves (docs/exchange.md, "Market data"). */
export const candleIntervals = ['1m', '5m', '15m', '1h', '4h', '1d', '1w'] as const;
export type CandleInterval = (typeof candleIntervals)[number];

const market = (symbol: string) => `/api/v1/markets/${encodeURIComponent(symbol)}`;

function pageParams(args: { market?: string; cursor?: string; limit?: number }) {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined && v !== ''));
}

/**
 * Markets, market data (contract A) and the trader's orders, fills and balances. The market hub keeps
 * these caches live (realtime/RealtimeClient): tickers are patched in place, orders and fills refetched.
 */
export const tradingApi = coinageApi
  .enhanceEndpoints({ addTagTypes: ['Markets', 'Tickers', 'Orders', 'Fills', 'Balances'] })
  .injectEndpoints({
    endpoints: (build) => ({
      getMarkets: build.query<Market[], void>({
        query: () => ({ url: '/api/v1/markets' }),
        providesTags: ['Markets'],
      }),
      getTickers: build.query<Ticker[], void>({
        query: () => ({ url: '/api/v1/markets/tickers' }),
        providesTags: ['Tickers'],
      }),
      getRecentTrades: build.query<PublicTrade[], string>({
        query: (symbol) => ({ url: `${market(symbol)}/trades`, params: { limit: 50 } }),
      }),
      getCandles: build.query<Candle[], { symbol: string; interval: CandleInterval }>({
        query: ({ symbol, interval }) => ({ url: `${market(symbol)}/candles`, params: { interval, limit: 300 } }),
      }),
      getTradingBalances: build.query<Balance[], void>({
        query: () => ({ url: '/api/v1/wallet/balances' }),
        providesTags: ['Balances'],
      }),
      getOpenOrders: build.query<Page<Order>, { market?: string; cursor?: string; limit?: number }>({
        query: (args) => ({ url: '/api/v1/orders/open', params: pageParams(args) }),
        providesTags: ['Orders'],
      }),
      getOrderHistory: build.query<Page<Order>, { market?: string; cursor?: string }>({
        query: (args) => ({ url: '/api/v1/orders', params: pageParams(args) }),
        providesTags: ['Orders'],
      }),
      getFills: build.query<Page<Fill>, { cursor?: string }>({
        query: (args) => ({ url: '/api/v1/fills', params: pageParams(args) }),
        providesTags: ['Fills'],
      }),
      placeOrder: build.mutation<Order, PlaceOrderRequest>({
        query: (body) => ({ url: '/api/v1/orders', method: 'POST', data: body }),
        invalidatesTags: (_result, error) => (error ? [] : ['Orders', 'Balances']),
      }),
      placeOco: build.mutation<OcoResponse, PlaceOcoRequest>({
        query: (body) => ({ url: '/api/v1/orders/oco', method: 'POST', data: body }),
        invalidatesTags: (_result, error) => (error ? [] : ['Orders', 'Balances']),
      }),
      amendOrder: build.mutation<Order, AmendOrderRequest>({
        query: ({ id, ...body }) => ({ url: `/api/v1/orders/${encodeURIComponent(id)}`, method: 'PATCH', data: body }),
        // The hold changes with the size or price: balances too.
        invalidatesTags: (_result, error) => (error ? [] : ['Orders', 'Balances']),
      }),
      cancelOrder: build.mutation<Order, string>({
        query: (id) => ({ url: `/api/v1/orders/${encodeURIComponent(id)}`, method: 'DELETE' }),
        invalidatesTags: (_result, error) => (error ? [] : ['Orders']),
      }),
      cancelAllOrders: build.mutation<void, string>({
        query: (symbol) => ({ url: '/api/v1/orders', method: 'DELETE', params: { market: symbol } }),
        invalidatesTags: (_result, error) => (error ? [] : ['Orders']),
      }),
    }),
  });

export const {
  useGetMarketsQuery,
  useGetTickersQuery,
  useGetRecentTradesQuery,
  useGetCandlesQuery,
  useGetTradingBalancesQuery,
  useGetOpenOrdersQuery,
  useGetOrderHistoryQuery,
  useGetFillsQuery,
  usePlaceOrderMutation,
  usePlaceOcoMutation,
  useAmendOrderMutation,
  useCancelOrderMutation,
  useCancelAllOrdersMutation,
} = tradingApi;
