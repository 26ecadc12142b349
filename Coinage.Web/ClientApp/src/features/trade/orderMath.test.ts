import { describe, expect, it } from 'vitest';
import { btcUsd } from '../../test/marketFixtures';
import { checkOrder, derivedSize, fieldOfProblem, type OrderDraft } from './orderMath';

const draft = (patch: Partial<OrderDraft>): OrderDraft => ({
  side: 'buy',
  type: 'limit',
  execution: 'limit',
  price: '',
  triggerPrice: '',
  stopPrice: '',
  amount: '',
  total: '',
  sizeBy: 'amount',
  timeInForce: 'GTC',
  postOnly: false,
  ...patch,
});

describe('order checks and holds', () => {
  it('holds a limit buy at its notional plus the fee at the dearer rate, rounded up to the cent', () => {
    // 65,001 × 0.01 = 650.01; 20 bps of it = 1.30002 → 1.31.
    const check = checkOrder(draft({ price: '65001', amount: '0.01' }), btcUsd);
    expect(check.errors).toEqual({});
    expect(check.hold?.asset).toBe('USD');
    expect(check.hold?.notional?.toFixed()).toBe('650.01');
    expect(check.hold?.fee?.toFixed()).toBe('1.31');
    expect(check.hold?.amount.toFixed()).toBe('651.32');
    expect(check.request).toEqual({ market: 'BTC-USD', side: 'buy', type: 'limit', timeInForce: 'GTC', postOnly: false, price: '65001', quantity: '0.01' });
  });

  it('holds a market buy at its budget plus fee, and a sell at its base amount', () => {
    const buy = checkOrder(draft({ type: 'market', sizeBy: 'total', total: '100', timeInForce: 'IOC' }), btcUsd);
    expect(buy.hold?.amount.toFixed()).toBe('100.2');
    expect(buy.request).toMatchObject({ quoteAmount: '100' });
    expect(buy.request).not.toHaveProperty('quantity');

    const sell = checkOrder(draft({ side: 'sell', price: '70000', amount: '0.25' }), btcUsd);
    expect(sell.hold).toMatchObject({ asset: 'BTC' });
    expect(sell.hold?.amount.toFixed()).toBe('0.25');
  });

  it('sizes a limit order by total: rounded down to the lot, never above the budget', () => {
    const d = draft({ price: '65000', total: '1000', sizeBy: 'total' });
    expect(derivedSize(d, btcUsd)).toEqual({ amount: '0.01', total: '1000' });
    expect(checkOrder(d, btcUsd).request).toMatchObject({ quantity: '0.01', price: '65000' });
  });

  it('refuses what the API would refuse: off-grid price and size, minimums, a market buy budget off the cent grid', () => {
    expect(checkOrder(draft({ price: '100.5', amount: '1' }), btcUsd).errors.price).toBe('The price must be a multiple of 1 USD.');
    expect(checkOrder(draft({ price: '100', amount: '0.015' }), btcUsd).errors.amount).toBe('The amount must be a multiple of 0.01 BTC.');
    expect(checkOrder(draft({ price: '100', amount: '0.05' }), btcUsd).errors.amount).toBe('The minimum order value is 10 USD.');
    expect(checkOrder(draft({ type: 'market', total: '10.005', sizeBy: 'total' }), btcUsd).errors.total).toBe('The total must be a multiple of 0.01 USD.');
    expect(checkOrder(draft({ price: '-1', amount: '1e3' }), btcUsd).errors).toEqual({ price: 'Not a valid number.', amount: 'Not a valid number.' });
    expect(checkOrder(draft({}), btcUsd).request).toBeUndefined();
  });

  it('checks the hold against the available balance of the asset it takes', () => {
    const balances = [
      { asset: 'USD', available: '200', held: '0', total: '200' },
      { asset: 'BTC', available: '0.1', held: '0', total: '0.1' },
    ];
    expect(checkOrder(draft({ price: '100', amount: '2' }), btcUsd, balances).errors.amount).toBe('Insufficient funds: needs 200.40 USD (fee included), 200.00 available.');
    expect(checkOrder(draft({ side: 'sell', price: '100', amount: '0.2' }), btcUsd, balances).errors.amount).toBe(
      'Insufficient funds: needs 0.20000000 BTC, 0.10000000 available.',
    );
    expect(checkOrder(draft({ price: '100', amount: '1.99' }), btcUsd, balances).errors).toEqual({});
  });

  it('puts the API problem codes on the field they are about', () => {
    expect(fieldOfProblem('invalid_price', draft({}))).toBe('price');
    expect(fieldOfProblem('below_minimum_notional', draft({ sizeBy: 'total' }))).toBe('total');
    expect(fieldOfProblem('insufficient_funds', draft({ type: 'market', side: 'buy' }))).toBe('total');
    expect(fieldOfProblem('price_band', draft({}))).toBe('price');
    expect(fieldOfProblem('max_order_size', draft({}))).toBe('amount');
    expect(fieldOfProblem('max_order_notional', draft({ type: 'market', side: 'buy' }))).toBe('total');
    expect(fieldOfProblem('market_cancel_only', draft({}))).toBeUndefined();
    expect(fieldOfProblem('trading_suspended', draft({}))).toBeUndefined();
    expect(fieldOfProblem('open_order_limit', draft({}))).toBeUndefined();
    expect(fieldOfProblem('market_halted', draft({}))).toBeUndefined();
  });
});
