import { Decimal, decimalPlaces, formatAmount, parseAmount } from '../../money/money';
import type { Balance, Market, PlaceOrderRequest } from './tradingApi';

export type Side = 'buy' | 'sell';
export type OrderKind = 'limit' | 'market';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';

/** What the order form holds: exactly what the user typed, never reformatted behind their back. */
export interface OrderDraft {
  side: Side;
  type: OrderKind;
  price: string;
  amount: string;
  total: string;
  /** Which of amount and total the user typed last: the other one is derived from it. */
  sizeBy: 'amount' | 'total';
  timeInForce: TimeInForce;
  postOnly: boolean;
}

export type DraftField = 'price' | 'amount' | 'total';
export type DraftErrors = Partial<Record<DraftField, string>>;

export interface Hold {
  asset: string;
  amount: Decimal;
  /** For buys: the notional and the worst-case fee it includes. */
  notional?: Decimal;
  fee?: Decimal;
  feeBps?: Decimal;
}

export interface CheckedOrder {
  errors: DraftErrors;
  /** The request to send, when the draft has no error. */
  request?: Omit<PlaceOrderRequest, 'clientOrderId'>;
  /** Base quantity the order is for (limit and market sell), for the summary. */
  quantity?: Decimal;
  hold?: Hold;
}

export const priceDecimals = (m: Market) => decimalPlaces(m.tickSize);
export const quantityDecimals = (m: Market) => decimalPlaces(m.lotSize);
/** The grid of a market buy's quote budget: one tick × one lot (docs/exchange.md, Money model). */
export const notionalUnit = (m: Market) => new Decimal(m.tickSize).times(m.lotSize);
/** The hold assumes the dearer of the two rates: whether the order makes or takes is unknown. */
export const holdFeeBps = (m: Market) => Decimal.max(m.makerFeeBps, m.takerFeeBps);

/** The fee on `notional` at `bps`, rounded up to the quote precision as the exchange does. */
export function feeOn(notional: Decimal, bps: Decimal, quotePrecision: number): Decimal {
  return notional.times(bps).dividedBy(10_000).toDecimalPlaces(quotePrecision, Decimal.ROUND_UP);
}

/**
 * The time in force an order type starts with: a limit order rests until cancelled, a market order never rests.
 * Switching type always starts over from here: an IOC picked for a market order must never turn the next
 * limit order into one that is cancelled at once.
 */
export function defaultTimeInForce(type: OrderKind): TimeInForce {
  return type === 'limit' ? 'GTC' : 'IOC';
}

/** What a time in force does, in words, for the ticket and its confirmation. */
export function describeTimeInForce(tif: TimeInForce): string {
  switch (tif) {
    case 'GTC':
      return 'Good till cancelled: what does not fill at once rests on the book until it fills or you cancel it.';
    case 'IOC':
      return 'Immediate or cancel: fills what it can at once; the rest is cancelled.';
    case 'FOK':
      return 'Fill or kill: fills completely at once, or is cancelled with nothing filled.';
  }
}

/** Time-in-force choices the API accepts for the order type and side. */
export function allowedTimeInForce(type: OrderKind, side: Side): TimeInForce[] {
  if (type === 'limit') return ['GTC', 'IOC', 'FOK'];
  return side === 'buy' ? ['IOC'] : ['IOC', 'FOK'];
}

/** Market buys are sized by what they may spend; everything else by base amount or (limit) quote total. */
export function sizeFields(draft: Pick<OrderDraft, 'type' | 'side'>): { amount: boolean; total: boolean } {
  if (draft.type === 'market') return draft.side === 'buy' ? { amount: false, total: true } : { amount: true, total: false };
  return { amount: true, total: true };
}

/** The base quantity a limit order sized by quote total buys: rounded down to the lot, never over budget. */
export function quantityForTotal(total: Decimal, price: Decimal, lotSize: string): Decimal {
  return total.dividedBy(price).dividedBy(lotSize).floor().times(lotSize);
}

function gridError(value: Decimal, step: string | Decimal, what: string, unit: string): string | undefined {
  return value.mod(step).isZero() ? undefined : `${what} must be a multiple of ${new Decimal(step).toFixed()} ${unit}.`;
}

function parsePositive(text: string, label: string): { value?: Decimal; error?: string } {
  if (text.trim() === '') return { error: `Enter ${label}.` };
  const value = parseAmount(text);
  if (value === null) return { error: `Not a valid number.` };
  if (value.isZero()) return { error: `Must be more than 0.` };
  return { value };
}

/**
 * Checks a draft against the market's grid and minimums and the user's balance, as the API will
 * (so its 400s are rare), and computes what the order holds (docs/exchange.md, Holds). With the best
 * ask, a market buy that cannot pay for one lot is refused here too, as the API refuses it
 * (`below_one_lot`): it would be cancelled with nothing filled.
 */
export function checkOrder(draft: OrderDraft, market: Market, balances?: readonly Balance[], bestAsk?: string | null): CheckedOrder {
  const errors: DraftErrors = {};
  const { baseAsset: base, quoteAsset: quote } = market;
  const feeBps = holdFeeBps(market);
  let quantity: Decimal | undefined;
  let price: Decimal | undefined;
  let hold: Hold | undefined;
  let request: CheckedOrder['request'];
  const common = { market: market.symbol, side: draft.side, type: draft.type, timeInForce: draft.timeInForce, postOnly: draft.type === 'limit' && draft.timeInForce === 'GTC' && draft.postOnly };

  if (draft.type === 'market' && draft.side === 'buy') {
    const total = parsePositive(draft.total, `the ${quote} to spend`);
    if (total.error) errors.total = total.error;
    else {
      const budget = total.value!;
      errors.total =
        gridError(budget, notionalUnit(market), 'The total', quote) ??
        (budget.lessThan(market.minNotional) ? `The minimum order value is ${new Decimal(market.minNotional).toFixed()} ${quote}.` : undefined) ??
        belowOneLot(budget, market, bestAsk);
      const fee = feeOn(budget, feeBps, market.quotePrecision);
      hold = { asset: quote, amount: budget.plus(fee), notional: budget, fee, feeBps };
      request = { ...common, quoteAmount: budget.toFixed() };
    }
  } else {
    if (draft.type === 'limit') {
      const parsed = parsePositive(draft.price, 'a price');
      if (parsed.error) errors.price = parsed.error;
      else {
        price = parsed.value!;
        errors.price = gridError(price, market.tickSize, 'The price', quote);
      }
    }
    if (draft.type === 'limit' && draft.sizeBy === 'total') {
      const total = parsePositive(draft.total, `a total in ${quote}`);
      if (total.error) errors.total = total.error;
      else if (price && !errors.price) {
        quantity = quantityForTotal(total.value!, price, market.lotSize);
        if (quantity.lessThan(market.minQuantity)) {
          errors.total = `Too small: the minimum size is ${new Decimal(market.minQuantity).toFixed()} ${base}.`;
        }
      }
    } else {
      const amount = parsePositive(draft.amount, `an amount of ${base}`);
      if (amount.error) errors.amount = amount.error;
      else {
        quantity = amount.value!;
        errors.amount =
          gridError(quantity, market.lotSize, 'The amount', base) ??
          (quantity.lessThan(market.minQuantity) ? `The minimum size is ${new Decimal(market.minQuantity).toFixed()} ${base}.` : undefined);
      }
    }
    const sizeField: DraftField = draft.type === 'limit' && draft.sizeBy === 'total' ? 'total' : 'amount';
    if (quantity && price && !errors[sizeField] && !errors.price) {
      const notional = quantity.times(price);
      if (notional.lessThan(market.minNotional)) {
        errors[sizeField] = `The minimum order value is ${new Decimal(market.minNotional).toFixed()} ${quote}.`;
      }
      if (draft.side === 'buy') {
        const fee = feeOn(notional, feeBps, market.quotePrecision);
        hold = { asset: quote, amount: notional.plus(fee), notional, fee, feeBps };
      }
    }
    if (quantity && draft.side === 'sell') {
      hold = { asset: base, amount: quantity };
    }
    if (quantity && (price || draft.type === 'market')) {
      request = { ...common, quantity: quantity.toFixed(), ...(price && { price: price.toFixed() }) };
    }
  }

  if (hold && balances) {
    const available = new Decimal(balances.find((b) => b.asset === hold.asset)?.available ?? '0');
    const field: DraftField = hold.asset === quote ? (draft.type === 'limit' && draft.sizeBy === 'amount' ? 'amount' : 'total') : 'amount';
    if (hold.amount.greaterThan(available) && !errors[field]) {
      const precision = hold.asset === quote ? market.quotePrecision : market.basePrecision;
      errors[field] = `Insufficient funds: needs ${formatAmount(hold.amount, precision)} ${hold.asset}${hold.fee ? ' (fee included)' : ''}, ${formatAmount(available, precision)} available.`;
    }
  }

  for (const key of Object.keys(errors) as DraftField[]) {
    if (errors[key] === undefined) delete errors[key];
  }
  const valid = Object.keys(errors).length === 0;
  return { errors, ...(valid && request && { request }), ...(quantity && { quantity }), ...(hold && { hold }) };
}

/** Why a market buy's budget buys nothing at the best ask (a market buy buys whole lots), or undefined when it buys at least one. */
function belowOneLot(budget: Decimal, market: Market, bestAsk: string | null | undefined): string | undefined {
  if (!bestAsk) return undefined;
  const oneLot = new Decimal(bestAsk).times(market.lotSize);
  if (!budget.lessThan(oneLot)) return undefined;
  const lot = `${new Decimal(market.lotSize).toFixed()} ${market.baseAsset}`;
  const price = formatAmount(bestAsk, decimalPlaces(market.tickSize));
  return `Too small to buy anything: one lot (${lot}) costs ${formatAmount(oneLot, market.quotePrecision)} ${market.quoteAsset} at the best ask of ${price} ${market.quoteAsset}.`;
}

/** The other size field, derived from the one the user typed (blank while it cannot be computed). */
export function derivedSize(draft: OrderDraft, market: Market): { amount: string; total: string } {
  if (draft.type !== 'limit') return { amount: draft.amount, total: draft.total };
  const price = parseAmount(draft.price);
  if (!price || price.isZero()) return draft.sizeBy === 'amount' ? { amount: draft.amount, total: '' } : { amount: '', total: draft.total };
  if (draft.sizeBy === 'amount') {
    const amount = parseAmount(draft.amount);
    return { amount: draft.amount, total: amount ? amount.times(price).toFixed() : '' };
  }
  const total = parseAmount(draft.total);
  return { amount: total ? quantityForTotal(total, price, market.lotSize).toFixed(quantityDecimals(market)) : '', total: draft.total };
}

/** Maps the API's stable problem codes (OrdersApi) to the field they are about. */
export function fieldOfProblem(code: string | undefined, draft: OrderDraft): DraftField | undefined {
  const sizeField: DraftField = draft.type === 'market' ? (draft.side === 'buy' ? 'total' : 'amount') : draft.sizeBy;
  switch (code) {
    case 'invalid_price':
    case 'price_band':
      return draft.type === 'limit' ? 'price' : undefined;
    case 'invalid_quantity':
    case 'below_minimum_size':
      return draft.type === 'market' && draft.side === 'buy' ? 'total' : sizeField;
    case 'invalid_amount':
    case 'below_minimum_notional':
    case 'below_one_lot':
    case 'insufficient_funds':
    case 'max_order_size':
    case 'max_order_notional':
      return sizeField;
    default:
      return undefined;
  }
}
