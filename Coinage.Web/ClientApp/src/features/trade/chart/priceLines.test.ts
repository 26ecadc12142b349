import { describe, expect, it } from 'vitest';
import { btcUsd } from '../../../test/marketFixtures';
import type { Order } from '../tradingApi';
import { diffLines, orderLines } from './priceLines';

const order = (id: string, patch: Partial<Order> = {}): Order => ({
  id,
  clientOrderId: null,
  market: 'BTC-USD',
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  postOnly: false,
  status: 'open',
  price: '64000',
  quantity: '0.5',
  quoteAmount: null,
  filledQuantity: '0',
  filledQuote: '0',
  averagePrice: null,
  fee: '0',
  holdAsset: 'USD',
  remainingHold: '32000',
  createdAt: '2026-11-24T09:00:00Z',
  updatedAt: '2026-11-24T09:00:00Z',
  closeReason: null,
  ...patch,
});

describe('open orders as price lines', () => {
  it('draws resting limit orders of this market with side and remaining size', () => {
    const lines = orderLines(
      [order('1'), order('2', { side: 'sell', price: '66000', quantity: '1', filledQuantity: '0.25', status: 'partially_filled' })],
      btcUsd,
    );
    expect(lines).toEqual([
      { id: '1', side: 'buy', price: '64000', title: 'Buy 0.50' },
      { id: '2', side: 'sell', price: '66000', title: 'Sell 0.75' },
    ]);
  });

  it('leaves out other markets, orders not resting, market orders and anything fully filled', () => {
    const lines = orderLines(
      [
        order('other', { market: 'ETH-USD' }),
        order('pending', { status: 'pending' }),
        order('filled', { status: 'filled', filledQuantity: '0.5' }),
        order('cancelled', { status: 'cancelled' }),
        order('market', { type: 'market', price: null, quantity: null, quoteAmount: '100' }),
        order('done', { status: 'partially_filled', filledQuantity: '0.5' }),
      ],
      btcUsd,
    );
    expect(lines).toEqual([]);
  });

  it('adds new orders, removes closed ones and replaces one whose remaining size changed', () => {
    const drawn = new Map(orderLines([order('1'), order('2'), order('3')], btcUsd).map((l) => [l.id, l]));
    const wanted = orderLines([order('1'), order('3', { filledQuantity: '0.2', status: 'partially_filled' }), order('4', { price: '63000' })], btcUsd);
    const { remove, add } = diffLines(drawn, wanted);
    expect(remove.sort()).toEqual(['2', '3']);
    expect(add.map((l) => [l.id, l.title])).toEqual([
      ['3', 'Buy 0.30'],
      ['4', 'Buy 0.50'],
    ]);
    expect(diffLines(new Map(wanted.map((l) => [l.id, l])), wanted)).toEqual({ remove: [], add: [] });
  });
});
