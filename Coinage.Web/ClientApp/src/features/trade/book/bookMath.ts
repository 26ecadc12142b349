import { Decimal } from '../../../money/money';
import type { Level } from '../../../realtime/types';
import type { Order } from '../tradingApi';

export type Side = 'bid' | 'ask';

/** The grouping choices of a market: 1, 10, 100 and 1,000 ticks. */
export function groupingSteps(tickSize: string): string[] {
  const tick = new Decimal(tickSize);
  return [1, 10, 100, 1000].map((n) => tick.times(n).toFixed());
}

/**
 * The price a level shows under `step` grouping. A bid rounds down and an ask rounds up, so a grouped
 * level never looks better than the orders in it: a seller who takes the grouped bid price gets at
 * least that much from every order in the group.
 */
export function groupPrice(price: string | Decimal, step: string, side: Side): Decimal {
  const p = new Decimal(price);
  const steps = p.dividedBy(step);
  return (side === 'bid' ? steps.floor() : steps.ceil()).times(step);
}

/**
 * Levels (best first) merged into groups of `step`, their sizes summed, still best first. With a step of
 * one tick the levels come back as they are (prices are on the tick grid).
 */
export function groupLevels(levels: readonly Level[], step: string, side: Side): Level[] {
  const groups: [Decimal, Decimal][] = [];
  for (const [price, quantity] of levels) {
    const key = groupPrice(price, step, side);
    const last = groups.at(-1);
    // Levels arrive sorted best first, so a group's levels are adjacent: no map needed.
    if (last && last[0].equals(key)) last[1] = last[1].plus(quantity);
    else groups.push([key, new Decimal(quantity)]);
  }
  return groups.map(([price, quantity]) => [price.toFixed(), quantity.toFixed()]);
}

/**
 * Grouping from a cut book: the hub sends the best `published` levels of a side, so when a side has that
 * many, its deepest group may hold only part of its orders. It is left out rather than shown too small.
 */
export function groupCutLevels(levels: readonly Level[], step: string, side: Side, published: number): Level[] {
  const groups = groupLevels(levels, step, side);
  return levels.length >= published && groups.length > 1 ? groups.slice(0, -1) : groups;
}

export interface DepthRow {
  price: string;
  quantity: string;
  /** Running total from the best level: what the depth bar and the depth chart show. */
  cumulative: Decimal;
}

/** The best `depth` levels with their running totals. */
export function depthRows(levels: readonly Level[], depth: number): DepthRow[] {
  let total = new Decimal(0);
  return levels.slice(0, depth).map(([price, quantity]) => {
    total = total.plus(quantity);
    return { price, quantity, cumulative: total };
  });
}

export interface Spread {
  /** Best ask − best bid. */
  absolute: Decimal;
  /** The spread as a percentage of the mid price. */
  percent: Decimal;
  mid: Decimal;
}

/** The spread of the best bid and ask, or null when a side is empty. */
export function bookSpread(bids: readonly Level[], asks: readonly Level[]): Spread | null {
  const bid = bids[0];
  const ask = asks[0];
  if (!bid || !ask) return null;
  const absolute = new Decimal(ask[0]).minus(bid[0]);
  const mid = new Decimal(ask[0]).plus(bid[0]).dividedBy(2);
  return { absolute, mid, percent: mid.isZero() ? new Decimal(0) : absolute.dividedBy(mid).times(100) };
}

/** "0.0031%": two decimals, or two significant digits below 0.01 % (a liquid market's spread). */
export function formatSpreadPercent(percent: Decimal): string {
  const shown = percent.isZero() || percent.greaterThanOrEqualTo('0.01') ? percent.toFixed(2) : percent.toSignificantDigits(2).toFixed();
  return `${shown}%`;
}

/** What the trader still has resting at each grouped price of a side, keyed by the price's `toFixed()`. */
export type OwnSizes = Map<string, Decimal>;

/**
 * The trader's open orders of a market as sizes per grouped level: buys on the bid side, sells on the ask
 * side, rounded like the book's levels so an order lands on the group that holds it. The size is what is
 * left to fill (quantity − filled); market orders and orders without a price never rest.
 */
export function ownSizes(orders: readonly Order[], market: string, step: string): Record<Side, OwnSizes> {
  const sizes: Record<Side, OwnSizes> = { bid: new Map(), ask: new Map() };
  for (const order of orders) {
    if (order.market !== market || order.price == null || order.quantity == null) continue;
    if (order.status !== 'open' && order.status !== 'partially_filled') continue;
    const remaining = new Decimal(order.quantity).minus(order.filledQuantity);
    if (remaining.lessThanOrEqualTo(0)) continue;
    const side: Side = order.side === 'buy' ? 'bid' : 'ask';
    const key = groupPrice(order.price, step, side).toFixed();
    sizes[side].set(key, (sizes[side].get(key) ?? new Decimal(0)).plus(remaining));
  }
  return sizes;
}

/**
 * The outline of one side of a depth chart as [price, cumulative] corners: at each level's price the
 * total steps up to that level's running total and stays there until the next level, so the area below
 * it is what a market order of that size would take. Bids walk down from the best bid, asks up.
 */
export function depthSteps(rows: readonly DepthRow[]): [Decimal, Decimal][] {
  const points: [Decimal, Decimal][] = [];
  let previous = new Decimal(0);
  for (const row of rows) {
    const price = new Decimal(row.price);
    points.push([price, previous], [price, row.cumulative]);
    previous = row.cumulative;
  }
  return points;
}
