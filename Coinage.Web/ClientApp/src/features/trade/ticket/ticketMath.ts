import { Decimal } from '../../../money/money';
import type { Level } from '../../../realtime/types';
import { feeOn, holdFeeBps, quantityDecimals, type Side, type TimeInForce } from '../orderMath';
import type { Market } from '../tradingApi';

/** The quick-amount buttons of the ticket: shares of the available balance. */
export const quickPercents = [25, 50, 75, 100] as const;
export type QuickPercent = (typeof quickPercents)[number];

/** What a quick amount puts in the ticket: a base amount, or (market buy) the quote total to spend. */
export type QuickFill = { field: 'amount'; value: string } | { field: 'total'; value: string };

export type QuickAmount = { ok: true; fill: QuickFill } | { ok: false; reason: string };

export interface QuickAmountInput {
  percent: number;
  side: Side;
  type: 'limit' | 'market';
  market: Market;
  /** The available balance of the asset the order spends: quote for a buy, base for a sell. */
  available: string | Decimal;
  /** The limit price as typed (parsed); needed for a limit buy. */
  price: Decimal | null;
  /** The best ask, which prices a market buy (a stop or take-profit market buy: its trigger, where it fires). */
  bestAsk: string | null;
  /** Why there is no price for a market buy, when it is not an empty book (a trigger not yet typed). */
  noMarketPrice?: string;
}

const lots = (value: Decimal, lotSize: string) => value.dividedBy(lotSize).floor().times(lotSize);

/** What a buy of `quantity` at `price` holds: the notional plus the fee at the hold rate, rounded up (docs/exchange.md, Holds). */
export function buyHold(quantity: Decimal, price: Decimal, market: Market): Decimal {
  const notional = quantity.times(price);
  return notional.plus(feeOn(notional, holdFeeBps(market), market.quotePrecision));
}

/**
 * The most whole lots a buy at `price` can hold within `budget`, the fee at the hold rate included: dividing by
 * price × (1 + rate) gives the bound, and the fee's rounding up to the quote unit may take one lot more off.
 */
export function affordableQuantity(budget: Decimal, price: Decimal, market: Market): Decimal {
  if (price.isZero() || budget.lessThanOrEqualTo(0)) return new Decimal(0);
  const perUnit = price.times(new Decimal(1).plus(holdFeeBps(market).dividedBy(10_000)));
  let quantity = lots(budget.dividedBy(perUnit), market.lotSize);
  while (quantity.greaterThan(0) && buyHold(quantity, price, market).greaterThan(budget)) {
    quantity = quantity.minus(market.lotSize);
  }
  return quantity;
}

/**
 * A quick amount: `percent` of the available balance as an order the API accepts and the balance can hold.
 * A sell takes that share of the base balance in whole lots. A limit buy takes that share of the quote balance
 * and buys the whole lots it can hold at the limit price, fee included. A market buy is sized by what it spends
 * (the API takes a quote budget): the cost of the whole lots that share buys at the best ask, so the budget is on
 * the tick × lot grid and its hold, fee included, fits. Below the market's minimums there is nothing to fill,
 * and the reason says why.
 */
export function quickAmount({ percent, side, type, market, available, price, bestAsk, noMarketPrice }: QuickAmountInput): QuickAmount {
  const share = new Decimal(available).times(percent).dividedBy(100);
  const { baseAsset: base, quoteAsset: quote } = market;
  const minQuantity = new Decimal(market.minQuantity);
  const minNotional = new Decimal(market.minNotional);
  if (share.lessThanOrEqualTo(0)) return { ok: false, reason: `No ${side === 'buy' ? quote : base} available.` };

  if (side === 'sell') {
    const quantity = lots(share, market.lotSize);
    if (quantity.lessThan(minQuantity)) return { ok: false, reason: `Less than the minimum size of ${minQuantity.toFixed()} ${base}.` };
    if (type === 'limit' && price && quantity.times(price).lessThan(minNotional)) {
      return { ok: false, reason: `Less than the minimum order value of ${minNotional.toFixed()} ${quote}.` };
    }
    return { ok: true, fill: { field: 'amount', value: quantity.toFixed(quantityDecimals(market)) } };
  }

  const at = type === 'limit' ? price : bestAsk ? new Decimal(bestAsk) : null;
  if (!at || at.isZero()) return { ok: false, reason: type === 'limit' ? 'Enter a price first.' : (noMarketPrice ?? 'No asks in the book to price a market buy.') };
  const quantity = affordableQuantity(share, at, market);
  const notional = quantity.times(at);
  if (quantity.isZero() || quantity.lessThan(minQuantity)) {
    return { ok: false, reason: `Not enough ${quote} for the minimum size of ${minQuantity.toFixed()} ${base}.` };
  }
  if (notional.lessThan(minNotional)) return { ok: false, reason: `Less than the minimum order value of ${minNotional.toFixed()} ${quote}.` };
  return type === 'limit'
    ? { ok: true, fill: { field: 'amount', value: quantity.toFixed(quantityDecimals(market)) } }
    : { ok: true, fill: { field: 'total', value: notional.toFixed() } };
}

/** What the ticket's order is, for the estimate: a market buy by quote budget, anything else by base quantity. */
export interface EstimateInput {
  side: Side;
  type: 'limit' | 'market';
  timeInForce: TimeInForce;
  postOnly: boolean;
  price: Decimal | null;
  quantity: Decimal | null;
  /** A market buy's budget. */
  quoteBudget: Decimal | null;
}

/** How the order would meet the book as it is now. */
export type Liquidity = 'taker' | 'maker' | 'mixed' | 'none';

export interface Estimate {
  /** Base and quote that would fill at once against the book (the taker part). */
  takerBase: Decimal;
  takerQuote: Decimal;
  /** What would rest at the limit price (the maker part: it pays the maker rate when it fills). */
  makerBase: Decimal;
  makerQuote: Decimal;
  liquidity: Liquidity;
  /** The fee, in quote: the exact fees of both parts added, then rounded up to the quote unit as the exchange does. */
  fee: Decimal;
  /** The average price of the taker part. */
  averagePrice: Decimal | null;
  /**
   * Why the order would not do what it says at this book: a post-only order that crosses is rejected; a fill-or-kill
   * the book cannot fill is cancelled; an immediate-or-cancel that crosses nothing fills nothing; a market order
   * larger than the book shown fills only part of it.
   */
  outcome: 'ok' | 'post_only_crosses' | 'fok_unfillable' | 'ioc_no_fill' | 'book_too_thin';
}

const zero = new Decimal(0);

/**
 * Walks the opposite side of the book as the matching engine would for this order and estimates its fee: the part
 * that crosses takes liquidity (taker rate), the rest of a good-till-cancelled limit order rests (maker rate, when it
 * fills). Market buys spend their budget in whole lots, as the engine does. The book is the one on screen (the hub's
 * published depth), the fee per order is rounded up once, as the exchange rounds an order's running fee total.
 */
export function estimateOrder(order: EstimateInput, book: { bids: readonly Level[]; asks: readonly Level[] }, market: Market): Estimate {
  const levels = order.side === 'buy' ? book.asks : book.bids;
  const limit = order.price;
  const crosses = (levelPrice: Decimal) =>
    order.type === 'market' || (limit !== null && (order.side === 'buy' ? levelPrice.lessThanOrEqualTo(limit) : levelPrice.greaterThanOrEqualTo(limit)));

  let takerBase = zero;
  let takerQuote = zero;
  let budgetLeft = order.quoteBudget ?? zero;
  let quantityLeft = order.quantity ?? zero;
  const byBudget = order.type === 'market' && order.side === 'buy';
  // Whether the order still wanted more when the book ran out of levels.
  let wantsMore = true;
  for (const [p, q] of levels) {
    const levelPrice = new Decimal(p);
    if (!crosses(levelPrice)) {
      wantsMore = false;
      break;
    }
    let take: Decimal;
    if (byBudget) {
      take = Decimal.min(new Decimal(q), lots(budgetLeft.dividedBy(levelPrice), market.lotSize));
      // Not one more lot at this level, and the next is dearer.
      if (take.isZero()) {
        wantsMore = false;
        break;
      }
      budgetLeft = budgetLeft.minus(take.times(levelPrice));
    } else {
      if (quantityLeft.isZero()) {
        wantsMore = false;
        break;
      }
      take = Decimal.min(new Decimal(q), quantityLeft);
      quantityLeft = quantityLeft.minus(take);
    }
    takerBase = takerBase.plus(take);
    takerQuote = takerQuote.plus(take.times(levelPrice));
  }

  let outcome: Estimate['outcome'] = 'ok';
  let makerBase = zero;
  if (order.type === 'market') {
    // A budget that cannot buy one more lot at the deepest level shown is spent, as far as the book can say.
    const deepest = levels.at(-1)?.[0];
    const unfilled = byBudget
      ? wantsMore && (deepest === undefined || !lots(budgetLeft.dividedBy(deepest), market.lotSize).isZero())
      : quantityLeft.greaterThan(0);
    if (unfilled) outcome = 'book_too_thin';
  } else if (order.postOnly && takerBase.greaterThan(0)) {
    outcome = 'post_only_crosses';
    takerBase = zero;
    takerQuote = zero;
  } else if (order.timeInForce === 'FOK' && quantityLeft.greaterThan(0)) {
    outcome = 'fok_unfillable';
    takerBase = zero;
    takerQuote = zero;
  } else if (order.timeInForce === 'IOC' && takerBase.isZero()) {
    outcome = 'ioc_no_fill';
  } else if (order.timeInForce === 'GTC') {
    makerBase = quantityLeft;
  }
  const makerQuote = limit ? makerBase.times(limit) : zero;

  const exact = takerQuote.times(market.takerFeeBps).plus(makerQuote.times(market.makerFeeBps)).dividedBy(10_000);
  const fee = exact.toDecimalPlaces(market.quotePrecision, Decimal.ROUND_UP);
  const liquidity: Liquidity = takerBase.greaterThan(0) ? (makerBase.greaterThan(0) ? 'mixed' : 'taker') : makerBase.greaterThan(0) ? 'maker' : 'none';
  return {
    takerBase,
    takerQuote,
    makerBase,
    makerQuote,
    liquidity,
    fee,
    averagePrice: takerBase.greaterThan(0) ? takerQuote.dividedBy(takerBase) : null,
    outcome,
  };
}

/** A fee rate in basis points as a percentage, as precise as it is: 20 → "0.2%", 2.5 → "0.025%". */
export function formatBps(bps: string | Decimal): string {
  return `${new Decimal(bps).dividedBy(100).toFixed()}%`;
}
