import { describe, expect, it } from 'vitest';
import type { Candle } from '../../realtime/types';
import { bucketStart, mergeTrade } from './candles';

const candle: Candle = { time: '2026-11-24T09:00:00.000Z', open: '100', high: '105', low: '99', close: '101', volume: '2', quoteVolume: '202' };

describe('candles from live trades', () => {
  it('buckets times by interval in UTC', () => {
    expect(bucketStart('2026-11-24T09:07:31.500Z', '5m')).toBe('2026-11-24T09:05:00.000Z');
    expect(bucketStart('2026-11-24T09:07:31Z', '1d')).toBe('2026-11-24T00:00:00.000Z');
    expect(bucketStart('2026-11-24T09:44:59.999Z', '15m')).toBe('2026-11-24T09:30:00.000Z');
    expect(bucketStart('2026-11-24T07:59:59Z', '4h')).toBe('2026-11-24T04:00:00.000Z');
    expect(bucketStart('2026-11-24T08:00:00Z', '4h')).toBe('2026-11-24T08:00:00.000Z');
  });

  it('starts weeks on Monday, as the API does', () => {
    // 2026-11-24 is a Tuesday, 2026-11-29 a Sunday, 2026-11-30 a Monday.
    expect(bucketStart('2026-11-24T09:07:31Z', '1w')).toBe('2026-11-23T00:00:00.000Z');
    expect(bucketStart('2026-11-29T23:59:59.999Z', '1w')).toBe('2026-11-23T00:00:00.000Z');
    expect(bucketStart('2026-11-30T00:00:00Z', '1w')).toBe('2026-11-30T00:00:00.000Z');
    // Before the origin too.
    expect(bucketStart('1999-12-30T12:00:00Z', '1w')).toBe('1999-12-27T00:00:00.000Z');
  });

  it('grows the current candle with decimal arithmetic', () => {
    const [updated] = mergeTrade([candle], { id: '1', price: '106.1', quantity: '0.1', side: 'buy', at: '2026-11-24T09:00:40Z' }, '1m');
    expect(updated).toEqual({ ...candle, high: '106.1', close: '106.1', volume: '2.1', quoteVolume: '212.61' });
  });

  it('opens a new candle when the trade falls in the next bucket', () => {
    const merged = mergeTrade([candle], { id: '2', price: '98', quantity: '0.3', side: 'sell', at: '2026-11-24T09:01:02Z' }, '1m');
    expect(merged).toHaveLength(2);
    expect(merged[1]).toEqual({ time: '2026-11-24T09:01:00.000Z', open: '98', high: '98', low: '98', close: '98', volume: '0.3', quoteVolume: '29.4' });
  });
});
