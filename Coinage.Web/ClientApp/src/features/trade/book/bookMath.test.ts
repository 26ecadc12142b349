import { describe, expect, it } from 'vitest';
import type { Level } from '../../../realtime/types';
import type { Order } from '../tradingApi';
import { bookSpread, depthRows, depthSteps, formatSpreadPercent, groupCutLevels, groupingSteps, groupLevels, groupPrice, ownSizes } from './bookMath';

const bids: Level[] = [
  ['64999', '0.5'],
  ['64995', '1'],
  ['64990', '1.25'],
  ['64989', '0.05'],
  ['64900', '3'],
];
const asks: Level[] = [
  ['65001', '0.2'],
  ['65009', '0.3'],
  ['65010', '2'],
  ['65011', '0.01'],
];

function order(side: 'buy' | 'sell', price: string, quantity: string, filled = '0', extra: Partial<Order> = {}): Order {
  return {
    id: `${side}-${price}-${quantity}`,
    clientOrderId: null,
    market: 'BTC-USD',
    side,
    type: 'limit',
    timeInForce: 'GTC',
    postOnly: false,
    status: filled === '0' ? 'open' : 'partially_filled',
    price,
    quantity,
    quoteAmount: null,
    filledQuantity: filled,
    filledQuote: '0',
    averagePrice: null,
    fee: '0',
    holdAsset: side === 'buy' ? 'USD' : 'BTC',
    remainingHold: '0',
    createdAt: '2026-11-24T09:00:00Z',
    updatedAt: '2026-11-24T09:00:00Z',
    closeReason: null,
    ...extra,
  };
}

describe('price grouping', () => {
  it('offers 1, 10, 100 and 1,000 ticks of the market', () => {
    expect(groupingSteps('1')).toEqual(['1', '10', '100', '1000']);
    expect(groupingSteps('0.01')).toEqual(['0.01', '0.1', '1', '10']);
  });

  it('rounds bids down and asks up to the step, with decimal ticks exactly', () => {
    expect(groupPrice('64999', '10', 'bid').toFixed()).toBe('64990');
    expect(groupPrice('64999', '10', 'ask').toFixed()).toBe('65000');
    expect(groupPrice('65000', '10', 'ask').toFixed()).toBe('65000');
    expect(groupPrice('65000', '10', 'bid').toFixed()).toBe('65000');
    // 0.1 + 0.2 is 0.30000000000000004 in doubles; on decimals the grid holds.
    expect(groupPrice('0.3', '0.1', 'bid').toFixed()).toBe('0.3');
    expect(groupPrice('0.31', '0.1', 'ask').toFixed()).toBe('0.4');
  });

  it('sums the sizes of the levels in a group, best group first', () => {
    expect(groupLevels(bids, '10', 'bid')).toEqual([
      ['64990', '2.75'],
      ['64980', '0.05'],
      ['64900', '3'],
    ]);
    expect(groupLevels(asks, '10', 'ask')).toEqual([
      ['65010', '2.5'],
      ['65020', '0.01'],
    ]);
    expect(groupLevels(bids, '100', 'bid')).toEqual([['64900', '5.8']]);
  });

  it('leaves one-tick levels as they are', () => {
    expect(groupLevels(bids, '1', 'bid')).toEqual(bids);
  });

  it('drops the deepest group of a side cut at the published depth, which may be partial', () => {
    expect(groupCutLevels(bids, '10', 'bid', 5)).toEqual([
      ['64990', '2.75'],
      ['64980', '0.05'],
    ]);
    expect(groupCutLevels(bids, '10', 'bid', 100)).toHaveLength(3);
    // A single group is still shown: better a partial total than an empty book.
    expect(groupCutLevels(bids, '100', 'bid', 5)).toEqual([['64900', '5.8']]);
  });
});

describe('depth and spread', () => {
  it('runs the cumulative size from the best level', () => {
    expect(depthRows(asks, 3).map((r) => [r.price, r.cumulative.toFixed()])).toEqual([
      ['65001', '0.2'],
      ['65009', '0.5'],
      ['65010', '2.5'],
    ]);
    expect(depthRows([], 20)).toEqual([]);
  });

  it('draws each side of the depth chart as steps at every level', () => {
    const steps = depthSteps(depthRows(bids.slice(0, 2), 20)).map(([p, c]) => [p.toFixed(), c.toFixed()]);
    expect(steps).toEqual([
      ['64999', '0'],
      ['64999', '0.5'],
      ['64995', '0.5'],
      ['64995', '1.5'],
    ]);
  });

  it('gives the spread in price and as a percentage of the mid price', () => {
    const s = bookSpread(bids, asks)!;
    expect(s.absolute.toFixed()).toBe('2');
    expect(s.mid.toFixed()).toBe('65000');
    expect(formatSpreadPercent(s.percent)).toBe('0.0031%');
    expect(formatSpreadPercent(bookSpread([['90', '1']], [['110', '1']])!.percent)).toBe('20.00%');
    expect(bookSpread([], asks)).toBeNull();
    expect(bookSpread(bids, [])).toBeNull();
  });
});

describe('own orders on the book', () => {
  it('puts what is left of each resting order on its grouped level, buys on bids and sells on asks', () => {
    const orders = [
      order('buy', '64999', '0.3'),
      order('buy', '64995', '0.5', '0.2'),
      order('sell', '65009', '0.1'),
      order('sell', '65001', '0.2'),
      // Not on this book: another market, a market order, a closed order.
      order('buy', '64999', '9', '0', { market: 'ETH-USD' }),
      order('buy', '64999', '9', '0', { type: 'market', price: null }),
      order('sell', '65001', '9', '9', { status: 'filled' }),
    ];
    const one = ownSizes(orders, 'BTC-USD', '1');
    expect([...one.bid].map(([p, s]) => [p, s.toFixed()])).toEqual([
      ['64999', '0.3'],
      ['64995', '0.3'],
    ]);
    expect([...one.ask].map(([p, s]) => [p, s.toFixed()])).toEqual([
      ['65009', '0.1'],
      ['65001', '0.2'],
    ]);

    const ten = ownSizes(orders, 'BTC-USD', '10');
    expect([...ten.bid].map(([p, s]) => [p, s.toFixed()])).toEqual([['64990', '0.6']]);
    expect([...ten.ask].map(([p, s]) => [p, s.toFixed()])).toEqual([['65010', '0.3']]);
  });
});
