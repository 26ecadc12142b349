import { Decimal } from '../../../money/money';
import { formatSize } from '../format';
import type { Market, Order } from '../tradingApi';

export interface OrderLine {
  /** The order's id: a line is added when an id appears and removed when it leaves. */
  id: string;
  side: 'buy' | 'sell';
  price: string;
  /** "Buy 0.50": the side and what is still resting, in the market's lot precision. */
  title: string;
}

const resting = new Set<Order['status']>(['open', 'partially_filled']);

/**
 * The trader's orders that rest on this market's book, as price lines: limit orders, open or partly filled,
 * with something left. A market order has no price, and a pending one is not in the book yet.
 */
export function orderLines(orders: readonly Order[], market: Market): OrderLine[] {
  return orders.flatMap((o) => {
    if (o.market !== market.symbol || !resting.has(o.status) || o.price === null || o.quantity === null) return [];
    const remaining = new Decimal(o.quantity).minus(o.filledQuantity);
    if (!remaining.isPositive() || remaining.isZero()) return [];
    return [{ id: o.id, side: o.side, price: o.price, title: `${o.side === 'buy' ? 'Buy' : 'Sell'} ${formatSize(remaining, market)}` }];
  });
}

/** What changed between the lines drawn and the lines wanted: keyed by id, a moved or resized line is replaced. */
export function diffLines(drawn: ReadonlyMap<string, OrderLine>, wanted: readonly OrderLine[]): { remove: string[]; add: OrderLine[] } {
  const next = new Map(wanted.map((l) => [l.id, l]));
  const remove: string[] = [];
  for (const [id, line] of drawn) {
    const want = next.get(id);
    if (!want || want.price !== line.price || want.title !== line.title) remove.push(id);
  }
  const add = wanted.filter((l) => {
    const had = drawn.get(l.id);
    return !had || remove.includes(l.id);
  });
  return { remove, add };
}
