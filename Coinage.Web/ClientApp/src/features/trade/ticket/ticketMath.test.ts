import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../money/money';
import { btcBook, btcUsd, ethUsd } from '../../../test/marketFixtures';
import { checkOrder } from '../orderMath';
import { buyHold, type EstimateInput, estimateOrder, formatBps, quickAmount, type QuickAmountInput } from './ticketMath';

// BTC-USD: tick 1, lot 0.01, minimum 0.01 BTC and 10 USD, maker 10 bps, taker 20 bps (holds at 20).
const quick = (patch: Partial<QuickAmountInput>) =>
  quickAmount({ percent: 100, side: 'buy', type: 'limit', market: btcUsd, available: '1000', price: new Decimal(100), bestAsk: null, ...patch });

describe('quick amounts', () => {
  it('buys the whole lots a share of the quote balance holds at the limit price, fee included', () => {
    // 1,000 / (100 × 1.002) = 9.98…: 9.98 BTC hold 998 + 2.00 fee = 1,000.00.
    expect(quick({})).toEqual({ ok: true, fill: { field: 'amount', value: '9.98' } });
    // 250 / 100.2 = 2.495…: 2.49 BTC hold 249 + 0.50.
    expect(quick({ percent: 25 })).toEqual({ ok: true, fill: { field: 'amount', value: '2.49' } });
    expect(quick({ percent: 50 })).toEqual({ ok: true, fill: { field: 'amount', value: '4.99' } });
    expect(quick({ percent: 75 })).toEqual({ ok: true, fill: { field: 'amount', value: '7.48' } });
  });

  it('takes one lot off when rounding the fee up to the cent would hold more than the share', () => {
    // 25 % of 1,002.17 = 250.5425; at 7 USD, 35.72 BTC would hold 250.04 + 0.51 = 250.55: one cent too many.
    const result = quick({ percent: 25, available: '1002.17', price: new Decimal(7) });
    expect(result).toEqual({ ok: true, fill: { field: 'amount', value: '35.71' } });
    expect(buyHold(new Decimal('35.71'), new Decimal(7), btcUsd).lessThanOrEqualTo('250.5425')).toBe(true);
    expect(buyHold(new Decimal('35.72'), new Decimal(7), btcUsd).greaterThan('250.5425')).toBe(true);
  });

  it('never fills an amount the ticket then refuses for funds', () => {
    for (const percent of [25, 50, 75, 100]) {
      for (const [available, price] of [['1000', '65001'], ['1002.17', '7'], ['12345.67', '311'], ['99.99', '3']] as const) {
        const result = quick({ percent, available, price: new Decimal(price) });
        if (!result.ok) continue;
        const share = new Decimal(available).times(percent).dividedBy(100);
        const check = checkOrder(
          { side: 'buy', type: 'limit', execution: 'limit', price, triggerPrice: '', stopPrice: '', amount: result.fill.value, total: '', sizeBy: 'amount', timeInForce: 'GTC', postOnly: false },
          btcUsd,
          [{ asset: 'USD', available: share.toFixed(), held: '0', total: share.toFixed() }],
        );
        expect(check.errors, `${percent}% of ${available} at ${price}`).toEqual({});
      }
    }
  });

  it('sells a share of the base balance rounded down to the lot', () => {
    expect(quick({ side: 'sell', available: '0.5', percent: 75 })).toEqual({ ok: true, fill: { field: 'amount', value: '0.37' } });
    expect(quick({ side: 'sell', available: '0.5' })).toEqual({ ok: true, fill: { field: 'amount', value: '0.50' } });
    // A market sell needs no price.
    expect(quick({ side: 'sell', type: 'market', available: '1.239', price: null, percent: 50 })).toEqual({ ok: true, fill: { field: 'amount', value: '0.61' } });
    // ETH-USD lots are 0.1 ETH.
    expect(quick({ market: ethUsd, side: 'sell', available: '2.99', percent: 50 })).toEqual({ ok: true, fill: { field: 'amount', value: '1.4' } });
  });

  it('sizes a market buy by the cost of the whole lots its share buys at the best ask', () => {
    // 1,000 / (65,001 × 1.002) = 0.0153…: one lot, 650.01 USD, holding 650.01 + 1.31.
    expect(quick({ type: 'market', price: null, bestAsk: '65001' })).toEqual({ ok: true, fill: { field: 'total', value: '650.01' } });
    const spend = quickAmount({ percent: 50, side: 'buy', type: 'market', market: ethUsd, available: '2000', price: null, bestAsk: '3456.7' });
    // 1,000 / (3,456.7 × 1.002) = 0.288…: 0.2 ETH, 691.34 USD (on the 0.01 USD grid of tick × lot).
    expect(spend).toEqual({ ok: true, fill: { field: 'total', value: '691.34' } });
  });

  it('says why there is nothing to fill', () => {
    expect(quick({ price: null })).toEqual({ ok: false, reason: 'Enter a price first.' });
    expect(quick({ type: 'market', price: null, bestAsk: null })).toEqual({ ok: false, reason: 'No asks in the book to price a market buy.' });
    expect(quick({ available: '0' })).toEqual({ ok: false, reason: 'No USD available.' });
    expect(quick({ side: 'sell', available: '0' })).toEqual({ ok: false, reason: 'No BTC available.' });
    // 25 % of 1,000 buys no lot at 65,001 (one costs 650.01 plus its fee).
    expect(quick({ percent: 25, price: new Decimal(65001) })).toEqual({ ok: false, reason: 'Not enough USD for the minimum size of 0.01 BTC.' });
    // 10 USD at 100 buys 0.09 BTC once the fee is held: 9 USD, under the 10 USD minimum order value.
    expect(quick({ available: '10' })).toEqual({ ok: false, reason: 'Less than the minimum order value of 10 USD.' });
    expect(quick({ side: 'sell', available: '0.019', percent: 50 })).toEqual({ ok: false, reason: 'Less than the minimum size of 0.01 BTC.' });
    expect(quick({ side: 'sell', available: '0.05', price: new Decimal(100) })).toEqual({ ok: false, reason: 'Less than the minimum order value of 10 USD.' });
  });
});

// The book: bids 64,999 × 0.5 and 64,990 × 1.25; asks 65,001 × 0.2 and 65,010 × 2.
const book = { bids: btcBook.bids, asks: btcBook.asks };
const order = (patch: Partial<EstimateInput>): EstimateInput => ({
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  postOnly: false,
  price: null,
  quantity: null,
  quoteBudget: null,
  ...patch,
});

describe('fee estimate against the book', () => {
  it('charges the maker rate on a limit order that would rest', () => {
    const e = estimateOrder(order({ price: new Decimal(64000), quantity: new Decimal('0.1') }), book, btcUsd);
    expect(e.liquidity).toBe('maker');
    // 6,400 × 10 bps.
    expect(e.fee.toFixed()).toBe('6.4');
    expect(e.makerQuote.toFixed()).toBe('6400');
    expect(e.takerBase.isZero()).toBe(true);
    expect(e.outcome).toBe('ok');
  });

  it('charges the taker rate on what crosses, at the prices it would fill at, rounded up to the cent', () => {
    const e = estimateOrder(order({ price: new Decimal(65010), quantity: new Decimal('0.5') }), book, btcUsd);
    expect(e.liquidity).toBe('taker');
    // 0.2 × 65,001 + 0.3 × 65,010 = 32,503.2; 20 bps = 65.0064 → 65.01.
    expect(e.takerQuote.toFixed()).toBe('32503.2');
    expect(e.fee.toFixed()).toBe('65.01');
    expect(e.averagePrice?.toFixed()).toBe('65006.4');
  });

  it('splits an order that crosses part of the book: taker on the fill, maker on the rest', () => {
    const e = estimateOrder(order({ price: new Decimal(65010), quantity: new Decimal(3) }), book, btcUsd);
    expect(e.liquidity).toBe('mixed');
    expect(e.takerBase.toFixed()).toBe('2.2');
    expect(e.makerBase.toFixed()).toBe('0.8');
    // 143,020.2 × 20 bps + 52,008 × 10 bps = 286.0404 + 52.008 = 338.0484 → 338.05.
    expect(e.fee.toFixed()).toBe('338.05');
  });

  it('walks the bids for a sell', () => {
    const e = estimateOrder(order({ side: 'sell', type: 'market', timeInForce: 'IOC', quantity: new Decimal('0.6') }), book, btcUsd);
    // 0.5 × 64,999 + 0.1 × 64,990 = 38,998.5; 20 bps = 77.997 → 78.00.
    expect(e.takerQuote.toFixed()).toBe('38998.5');
    expect(e.fee.toFixed()).toBe('78');
    expect(e.outcome).toBe('ok');
    const resting = estimateOrder(order({ side: 'sell', price: new Decimal(65000), quantity: new Decimal('1') }), book, btcUsd);
    expect(resting.liquidity).toBe('maker');
    expect(resting.fee.toFixed()).toBe('65');
  });

  it('spends a market buy budget in whole lots and says when the book shown cannot spend it', () => {
    // 1,000 USD: one lot at 65,001; what is left buys no lot at 65,010.
    const small = estimateOrder(order({ type: 'market', timeInForce: 'IOC', quoteBudget: new Decimal(1000) }), book, btcUsd);
    expect(small.takerBase.toFixed()).toBe('0.01');
    expect(small.fee.toFixed()).toBe('1.31');
    expect(small.outcome).toBe('ok');
    const large = estimateOrder(order({ type: 'market', timeInForce: 'IOC', quoteBudget: new Decimal(200000) }), book, btcUsd);
    expect(large.takerBase.toFixed()).toBe('2.2');
    expect(large.outcome).toBe('book_too_thin');
    expect(estimateOrder(order({ type: 'market', timeInForce: 'IOC', quoteBudget: new Decimal(100) }), { bids: [], asks: [] }, btcUsd).outcome).toBe('book_too_thin');
    expect(estimateOrder(order({ side: 'sell', type: 'market', timeInForce: 'IOC', quantity: new Decimal(2) }), book, btcUsd).outcome).toBe('book_too_thin');
  });

  it('knows what post-only, fill-or-kill and immediate-or-cancel do at this book', () => {
    const crossing = estimateOrder(order({ postOnly: true, price: new Decimal(65001), quantity: new Decimal('0.1') }), book, btcUsd);
    expect(crossing.outcome).toBe('post_only_crosses');
    expect(crossing.fee.isZero()).toBe(true);
    const resting = estimateOrder(order({ postOnly: true, price: new Decimal(65000), quantity: new Decimal('0.1') }), book, btcUsd);
    expect(resting.outcome).toBe('ok');
    expect(resting.liquidity).toBe('maker');

    expect(estimateOrder(order({ timeInForce: 'FOK', price: new Decimal(65010), quantity: new Decimal(3) }), book, btcUsd).outcome).toBe('fok_unfillable');
    const fok = estimateOrder(order({ timeInForce: 'FOK', price: new Decimal(65010), quantity: new Decimal('2.2') }), book, btcUsd);
    expect(fok.outcome).toBe('ok');
    expect(fok.liquidity).toBe('taker');

    const ioc = estimateOrder(order({ timeInForce: 'IOC', price: new Decimal(64000), quantity: new Decimal('0.1') }), book, btcUsd);
    expect(ioc.outcome).toBe('ioc_no_fill');
    expect(ioc.liquidity).toBe('none');
    // What an IOC cannot fill is cancelled, never rested: no maker part.
    const partial = estimateOrder(order({ timeInForce: 'IOC', price: new Decimal(65001), quantity: new Decimal(1) }), book, btcUsd);
    expect(partial.takerBase.toFixed()).toBe('0.2');
    expect(partial.makerBase.isZero()).toBe(true);
  });

  it('formats a rate as precisely as it is set', () => {
    expect(formatBps('20')).toBe('0.2%');
    expect(formatBps('2.5')).toBe('0.025%');
    expect(formatBps('0')).toBe('0%');
  });
});
