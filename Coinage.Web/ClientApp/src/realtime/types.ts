import type { Amount } from '../money/money';

/** Contract A (CONTRACTS.md): what the market hub and the market-data REST endpoints send. */
export type Level = [price: Amount, quantity: Amount];

export interface Ticker {
  symbol: string;
  last: Amount | null;
  open24h: Amount | null;
  high24h: Amount | null;
  low24h: Amount | null;
  change24h: Amount | null;
  changePercent24h: Amount | null;
  volume24h: Amount;
  quoteVolume24h: Amount;
  bestBid: Amount | null;
  bestAsk: Amount | null;
  at: string;
}

export interface BookSnapshot {
  market: string;
  /** A long, as a decimal string. */
  sequence: string;
  bids: Level[];
  asks: Level[];
  at: string;
}

export interface BookUpdate {
  market: string;
  sequence: string;
  previousSequence: string;
  bids: Level[];
  asks: Level[];
}

export interface PublicTrade {
  id: string;
  price: Amount;
  quantity: Amount;
  /** The taker's side. */
  side: 'buy' | 'sell';
  at: string;
}

export interface TradesMessage {
  market: string;
  /** Oldest first. */
  trades: PublicTrade[];
}

export interface Candle {
  time: string;
  open: Amount;
  high: Amount;
  low: Amount;
  close: Amount;
  volume: Amount;
  quoteVolume: Amount;
}

/** `untriggered`: a stop or take-profit order waiting off the book for its trigger (docs/exchange.md). */
export type OrderStatus = 'pending' | 'untriggered' | 'open' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected';

export interface OrderUpdate {
  id: string;
  market: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  status: OrderStatus;
  price: Amount | null;
  quantity: Amount | null;
  filledQuantity: Amount;
  filledQuote: Amount;
  averagePrice: Amount | null;
  updatedAt: string;
  /** Why a cancelled or rejected order ended (features/trade/closeReasons); null otherwise. */
  closeReason?: string | null;
  /** The other leg of its one-cancels-the-other pair; null for orders placed alone. */
  ocoPartnerId?: string | null;
  /** Why the exchange refused the order's last amend (features/trade/orders/amendRejections); null otherwise. */
  lastAmendRejection?: string | null;
}

/** The hub's `marketStatus`: a market halted, set cancel-only or reopened (docs/exchange.md, Risk controls). */
export interface MarketStatusMessage {
  market: string;
  status: 'open' | 'halted' | 'cancel_only';
  source: 'admin' | 'circuit_breaker';
  /** When the circuit breaker's phase ends by itself; null when an Admin set it. */
  until: string | null;
  at: string;
}

export interface FillMessage {
  tradeId: string;
  orderId: string;
  market: string;
  side: 'buy' | 'sell';
  liquidity: 'maker' | 'taker';
  price: Amount;
  quantity: Amount;
  quoteAmount: Amount;
  fee: Amount;
  feeAsset: string;
  at: string;
}

/** A deposit or withdrawal changed status; its balance comes as a `balance` event right after. */
export interface FundingMessage {
  kind: 'deposit' | 'withdrawal';
  id: string;
  asset: string;
  status: string;
}

export interface BalanceMessage {
  asset: string;
  available: Amount;
  held: Amount;
  total: Amount;
}
