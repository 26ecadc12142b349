import { Decimal, parseAmount } from '../../../money/money';
import type { AmendOrderRequest, Market, Order } from '../tradingApi';

/** What the amend dialog holds: the price and the new total size as typed. */
export interface AmendDraft {
  price: string;
  quantity: string;
}

export type AmendField = keyof AmendDraft;

export interface CheckedAmend {
  errors: Partial<Record<AmendField, string>>;
  /** The request to send (only what changed), when the draft is valid and changes something. */
  request?: AmendOrderRequest;
  /** A smaller size at the same price keeps the order's place in its queue; anything else puts it at the back. */
  keepsPriority: boolean;
}

/** Only resting limit orders can be amended (docs/exchange.md, Amend): not a stop waiting for its trigger, not a market order. */
// Not a leg of an OCO pair: the pair's one hold sits on its limit leg, so the API refuses (409 not_amendable).
export const isAmendable = (order: Pick<Order, 'type' | 'status' | 'ocoPartnerId'>) =>
  order.type === 'limit' && !order.ocoPartnerId && (order.status === 'open' || order.status === 'partially_filled');

/**
 * Checks an amend as the API will: the price on the tick grid, the new total size on the lot grid and more than what
 * has filled. While the market takes no new orders (halted, cancel-only) only a smaller size at the same price is
 * allowed: it takes nothing new to the book, it is a cancel of part of the order, and cancels are always taken.
 */
export function checkAmend(order: Order, draft: AmendDraft, market: Market): CheckedAmend {
  const errors: CheckedAmend['errors'] = {};
  const price = parseAmount(draft.price);
  const quantity = parseAmount(draft.quantity);
  const filled = new Decimal(order.filledQuantity);
  const closed = market.status !== 'open';

  if (draft.price.trim() === '') errors.price = 'Enter a price.';
  else if (price === null) errors.price = 'Not a valid number.';
  else if (price.isZero()) errors.price = 'Must be more than 0.';
  else if (!price.mod(market.tickSize).isZero()) errors.price = `The price must be a multiple of ${new Decimal(market.tickSize).toFixed()} ${market.quoteAsset}.`;

  if (draft.quantity.trim() === '') errors.quantity = 'Enter the new amount.';
  else if (quantity === null) errors.quantity = 'Not a valid number.';
  else if (!quantity.mod(market.lotSize).isZero()) errors.quantity = `The amount must be a multiple of ${new Decimal(market.lotSize).toFixed()} ${market.baseAsset}.`;
  else if (!quantity.greaterThan(filled)) {
    errors.quantity = `Must be more than the ${filled.toFixed()} ${market.baseAsset} already filled: to stop the rest, cancel the order.`;
  }

  const priceChanged = price !== null && order.price !== null && !price.equals(order.price);
  const quantityChanged = quantity !== null && order.quantity !== null && !quantity.equals(order.quantity);
  if (closed && priceChanged && !errors.price) errors.price = `${market.symbol} takes no new orders now: only a smaller amount, at the same price.`;
  if (closed && quantityChanged && quantity!.greaterThan(order.quantity!) && !errors.quantity) {
    errors.quantity = `${market.symbol} takes no new orders now: only a smaller amount.`;
  }

  const keepsPriority = !priceChanged && quantity !== null && order.quantity !== null && quantity.lessThan(order.quantity);
  if (Object.keys(errors).length > 0 || (!priceChanged && !quantityChanged)) return { errors, keepsPriority };
  return {
    errors,
    keepsPriority,
    request: { id: order.id, ...(priceChanged && { price: price.toFixed() }), ...(quantityChanged && { quantity: quantity.toFixed() }) },
  };
}

/** The field a refusal of an amend is about: the problem's `errors` first, then its code. */
export function amendFieldOfProblem(code: string | undefined, errors: Record<string, string[]> | undefined, sent: AmendOrderRequest): AmendField | undefined {
  const named = Object.keys(errors ?? {}).find((k) => k === 'price' || k === 'quantity');
  if (named) return named as AmendField;
  switch (code) {
    case 'invalid_price':
    case 'amend_would_cross':
    case 'price_band':
      return 'price';
    case 'invalid_quantity':
    case 'below_minimum_size':
    case 'max_order_size':
      return 'quantity';
    case 'insufficient_funds':
    case 'below_minimum_notional':
    case 'max_order_notional':
      // More size or a dearer price needs more: the field that was changed (the size when both were).
      return sent.quantity !== undefined ? 'quantity' : 'price';
    default:
      return undefined;
  }
}
