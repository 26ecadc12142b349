import { Decimal, decimalPlaces, formatAmount, parseAmount } from '../../money/money';
import type { Balance, Market, OrderType, PlaceOcoRequest, PlaceOrderRequest } from './tradingApi';

export type Side = 'buy' | 'sell';
/** How an order executes once it is live: at a limit price or at market. */
export type OrderKind = 'limit' | 'market';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
/**
 * The ticket's order types, as Coinbase Advanced and Kraken Pro offer them: a stop or take-profit is a limit or market
 * order armed with a trigger (its `execution`), OCO a resting limit and a stop sold or bought together.
 */
export type TicketType = 'limit' | 'market' | 'stop' | 'take_profit' | 'oco';

/** What the order form holds: exactly what the user typed, never reformatted behind their back. */
export interface OrderDraft {
  side: Side;
  type: TicketType;
  /** Stop and take-profit: whether the order fired is a limit or a market order. */
  execution: OrderKind;
  /** The limit price (an OCO's limit leg). */
  price: string;
  /** Stop, take-profit and OCO: the last trade price that fires the (stop leg of the) order. */
  triggerPrice: string;
  /** OCO: the stop leg's limit price; blank makes it a stop-market leg. */
  stopPrice: string;
  amount: string;
  total: string;
  /** Which of amount and total the user typed last: the other one is derived from it. */
  sizeBy: 'amount' | 'total';
  timeInForce: TimeInForce;
  postOnly: boolean;
}

export type DraftField = 'price' | 'triggerPrice' | 'stopPrice' | 'amount' | 'total';
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
  /** The request to send, when the draft has no error (every type but OCO). */
  request?: Omit<PlaceOrderRequest, 'clientOrderId'>;
  /** An OCO pair's request, when the draft has no error. */
  oco?: Omit<PlaceOcoRequest, 'clientOrderId'>;
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
export function sizeFields(draft: Pick<OrderDraft, 'type' | 'execution' | 'side'>): { amount: boolean; total: boolean } {
  if (executionOf(draft) === 'market') return draft.side === 'buy' ? { amount: false, total: true } : { amount: true, total: false };
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

/** How the draft's order executes: a stop or take-profit as its chosen execution, an OCO sized as its limit leg. */
export function executionOf(draft: Pick<OrderDraft, 'type' | 'execution'>): OrderKind {
  if (draft.type === 'limit' || draft.type === 'oco') return 'limit';
  if (draft.type === 'market') return 'market';
  return draft.execution;
}

/** The API's `type` of a single order (OCO has its own endpoint). */
export function apiOrderType(draft: Pick<OrderDraft, 'type' | 'execution'>): OrderType {
  switch (draft.type) {
    case 'limit':
    case 'market':
      return draft.type;
    case 'stop':
      return draft.execution === 'limit' ? 'stop_limit' : 'stop_market';
    case 'take_profit':
      return draft.execution === 'limit' ? 'take_profit_limit' : 'take_profit_market';
    case 'oco':
      return 'limit';
  }
}

/** Whether the draft has a trigger price: stops, take-profits, and an OCO's stop leg. */
export const hasTrigger = (draft: Pick<OrderDraft, 'type'>) => draft.type === 'stop' || draft.type === 'take_profit' || draft.type === 'oco';

/**
 * Which way the trigger fires (docs/exchange.md, Order types and triggers): a buy stop as the last price rises to it
 * (≥), a sell stop as it falls (≤); a take-profit the other way. An OCO's trigger is its stop leg's.
 */
export function draftTriggerDirection(draft: Pick<OrderDraft, 'type' | 'side'>): '≥' | '≤' | null {
  if (draft.type === 'stop' || draft.type === 'oco') return draft.side === 'buy' ? '≥' : '≤';
  if (draft.type === 'take_profit') return draft.side === 'buy' ? '≤' : '≥';
  return null;
}

/** Whether the last trade price has already reached `trigger` in `direction`: the exchange would refuse the order. */
export function triggerReached(direction: '≥' | '≤', trigger: Decimal, lastPrice: string | null | undefined): boolean {
  if (!lastPrice) return false; // Before the market's first trade nothing can fire: every trigger is armed.
  const last = new Decimal(lastPrice);
  return direction === '≥' ? last.greaterThanOrEqualTo(trigger) : last.lessThanOrEqualTo(trigger);
}

/** A price field: positive and on the tick grid. `label` is what to enter, `what` its name in a sentence. */
function checkPrice(text: string, label: string, what: string, market: Market): { value?: Decimal; error?: string } {
  const parsed = parsePositive(text, label);
  if (parsed.error) return parsed;
  const error = gridError(parsed.value!, market.tickSize, what, market.quoteAsset);
  return error ? { error } : parsed;
}

/**
 * Checks a draft against the market's grid and minimums and the user's balance, as the API will
 * (so its 400s are rare), and computes what the order holds (docs/exchange.md, Holds). With the best
 * ask, a market buy that cannot pay for one lot is refused here too, as the API refuses it
 * (`below_one_lot`): it would be cancelled with nothing filled. With the last trade price, a trigger
 * already reached is refused too, as the exchange refuses it (`would_trigger_immediately`).
 *
 * A stop or take-profit holds what the order it becomes holds (a stop-market buy its quote budget, sized like a
 * market buy). An OCO pair holds once, the larger of its legs' needs: a sell its quantity of base, a buy the dearer
 * of the limit leg and the stop leg at its limit price; a buy's stop leg must have that price, since a market buy by
 * quantity has no price that bounds what it spends.
 */
export function checkOrder(
  draft: OrderDraft,
  market: Market,
  balances?: readonly Balance[],
  bestAsk?: string | null,
  lastPrice?: string | null,
): CheckedOrder {
  const errors: DraftErrors = {};
  const { baseAsset: base, quoteAsset: quote } = market;
  const feeBps = holdFeeBps(market);
  const execution = executionOf(draft);
  const triggered = hasTrigger(draft);
  let quantity: Decimal | undefined;
  let price: Decimal | undefined;
  let trigger: Decimal | undefined;
  let stopPrice: Decimal | undefined;
  let hold: Hold | undefined;
  let request: CheckedOrder['request'];
  const common = {
    market: market.symbol,
    side: draft.side,
    type: apiOrderType(draft),
    timeInForce: draft.timeInForce,
    postOnly: draft.type === 'limit' && draft.timeInForce === 'GTC' && draft.postOnly,
  };

  if (triggered) {
    const parsed = checkPrice(draft.triggerPrice, 'a trigger price', 'The trigger price', market);
    if (parsed.error) errors.triggerPrice = parsed.error;
    else {
      trigger = parsed.value!;
      const direction = draftTriggerDirection(draft)!;
      if (triggerReached(direction, trigger, lastPrice)) {
        errors.triggerPrice = `Already reached: the last price is ${formatAmount(lastPrice!, decimalPlaces(market.tickSize))} ${quote}, so it would fire at once and the exchange refuses it (it triggers when the last price ${direction} the trigger).`;
      }
    }
  }
  if (draft.type === 'oco' && draft.side === 'buy' && draft.stopPrice.trim() === '') {
    errors.stopPrice = 'Enter the stop leg\'s limit price: a buy stop needs one, so that what it holds is known.';
  } else if (draft.type === 'oco' && draft.stopPrice.trim() !== '') {
    const parsed = checkPrice(draft.stopPrice, 'a stop limit price', 'The stop limit price', market);
    if (parsed.error) errors.stopPrice = parsed.error;
    else stopPrice = parsed.value!;
  }

  const tradeParams = triggered && trigger ? { triggerPrice: trigger.toFixed() } : {};
  if (execution === 'market' && draft.side === 'buy') {
    const total = parsePositive(draft.total, `the ${quote} to spend`);
    if (total.error) errors.total = total.error;
    else {
      const budget = total.value!;
      errors.total =
        gridError(budget, notionalUnit(market), 'The total', quote) ??
        (budget.lessThan(market.minNotional) ? `The minimum order value is ${new Decimal(market.minNotional).toFixed()} ${quote}.` : undefined) ??
        // A stop or take-profit buy is matched later, at another price: today's best ask says nothing about it.
        (triggered ? undefined : belowOneLot(budget, market, bestAsk));
      const fee = feeOn(budget, feeBps, market.quotePrecision);
      hold = { asset: quote, amount: budget.plus(fee), notional: budget, fee, feeBps };
      if (!triggered || trigger) request = { ...common, ...tradeParams, quoteAmount: budget.toFixed() };
    }
  } else {
    if (execution === 'limit') {
      const parsed = checkPrice(draft.price, 'a price', 'The price', market);
      if (parsed.error) errors.price = parsed.error;
      else price = parsed.value!;
    }
    if (execution === 'limit' && draft.sizeBy === 'total') {
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
    const sizeField: DraftField = execution === 'limit' && draft.sizeBy === 'total' ? 'total' : 'amount';
    if (quantity && price && !errors[sizeField] && !errors.price) {
      const notional = quantity.times(price);
      if (notional.lessThan(market.minNotional)) {
        errors[sizeField] = `The minimum order value is ${new Decimal(market.minNotional).toFixed()} ${quote}.`;
      }
      if (draft.side === 'buy') {
        // An OCO buy holds the dearer of its legs: the limit leg, or the stop leg at its limit price.
        const legPrice = stopPrice && stopPrice.greaterThan(price) ? stopPrice : price;
        const legNotional = quantity.times(legPrice);
        const fee = feeOn(legNotional, feeBps, market.quotePrecision);
        hold = { asset: quote, amount: legNotional.plus(fee), notional: legNotional, fee, feeBps };
      }
    }
    if (quantity && draft.side === 'sell') {
      hold = { asset: base, amount: quantity };
    }
    if (quantity && (price || execution === 'market') && (!triggered || trigger) && draft.type !== 'oco') {
      request = { ...common, ...tradeParams, quantity: quantity.toFixed(), ...(price && { price: price.toFixed() }) };
    }
  }

  if (hold && balances) {
    const available = new Decimal(balances.find((b) => b.asset === hold.asset)?.available ?? '0');
    const field: DraftField = hold.asset === quote ? (execution === 'limit' && draft.sizeBy === 'amount' ? 'amount' : 'total') : 'amount';
    if (hold.amount.greaterThan(available) && !errors[field]) {
      const precision = hold.asset === quote ? market.quotePrecision : market.basePrecision;
      errors[field] = `Insufficient funds: needs ${formatAmount(hold.amount, precision)} ${hold.asset}${hold.fee ? ' (fee included)' : ''}, ${formatAmount(available, precision)} available.`;
    }
  }

  for (const key of Object.keys(errors) as DraftField[]) {
    if (errors[key] === undefined) delete errors[key];
  }
  const valid = Object.keys(errors).length === 0;
  const oco =
    draft.type === 'oco' && quantity && price && trigger
      ? {
          market: market.symbol,
          side: draft.side,
          quantity: quantity.toFixed(),
          price: price.toFixed(),
          triggerPrice: trigger.toFixed(),
          ...(stopPrice && { stopPrice: stopPrice.toFixed() }),
        }
      : undefined;
  return {
    errors,
    ...(valid && request && { request }),
    ...(valid && oco && { oco }),
    ...(quantity && { quantity }),
    ...(hold && { hold }),
  };
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
  if (executionOf(draft) !== 'limit') return { amount: draft.amount, total: draft.total };
  const price = parseAmount(draft.price);
  if (!price || price.isZero()) return draft.sizeBy === 'amount' ? { amount: draft.amount, total: '' } : { amount: '', total: draft.total };
  if (draft.sizeBy === 'amount') {
    const amount = parseAmount(draft.amount);
    return { amount: draft.amount, total: amount ? amount.times(price).toFixed() : '' };
  }
  const total = parseAmount(draft.total);
  return { amount: total ? quantityForTotal(total, price, market.lotSize).toFixed(quantityDecimals(market)) : '', total: draft.total };
}

/**
 * The field a refusal is about: the problem's `errors` first (the API names the request's field), else its stable
 * code (OrdersApi).
 */
export function fieldOfProblem(code: string | undefined, draft: OrderDraft, errors?: Record<string, string[]>): DraftField | undefined {
  const execution = executionOf(draft);
  const sizeField: DraftField = execution === 'market' ? (draft.side === 'buy' ? 'total' : 'amount') : draft.sizeBy;
  const named = Object.keys(errors ?? {})[0];
  switch (named) {
    case 'price':
      if (execution === 'limit') return 'price';
      break;
    case 'triggerPrice':
      if (hasTrigger(draft)) return 'triggerPrice';
      break;
    case 'stopPrice':
      if (draft.type === 'oco') return 'stopPrice';
      break;
    case 'quantity':
    case 'quoteAmount':
      return sizeField;
  }
  switch (code) {
    case 'invalid_price':
    case 'price_band':
      return execution === 'limit' ? 'price' : undefined;
    case 'invalid_trigger_price':
    case 'would_trigger_immediately':
      return hasTrigger(draft) ? 'triggerPrice' : undefined;
    case 'invalid_quantity':
    case 'below_minimum_size':
      return execution === 'market' && draft.side === 'buy' ? 'total' : sizeField;
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
