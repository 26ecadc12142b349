import { describe, expect, it } from 'vitest';
import type { Candle } from '../../../realtime/types';
import { btcUsd } from '../../../test/marketFixtures';
import { legendOf } from './legend';

const candle = (open: string, close: string, extra: Partial<Candle> = {}): Candle => ({
  time: '2026-11-24T09:00:00Z',
  open,
  high: '65500',
  low: '63990.4',
  close,
  volume: '12.345',
  quoteVolume: '0',
  ...extra,
});

describe('crosshair legend', () => {
  it('formats O/H/L/C with the tick, volume with the lot, and the change of the candle from its open', () => {
    expect(legendOf(candle('64000', '64800'), btcUsd)).toEqual({
      open: '64,000',
      high: '65,500',
      low: '63,990',
      close: '64,800',
      volume: '12.35',
      change: '+1.25%',
      direction: 'up',
    });
  });

  it('says down for a red candle and flat for a doji', () => {
    expect(legendOf(candle('65000', '64350'), btcUsd)).toMatchObject({ change: '-1.00%', direction: 'down' });
    expect(legendOf(candle('65000', '65000'), btcUsd)).toMatchObject({ change: '0.00%', direction: 'flat' });
  });

  it('computes the change in decimals (no float residue) and shows a dash when the open is zero', () => {
    // 0.3 - 0.1 = 0.2 exactly: +200.00%, where binary floating point would give 199.99999999999997.
    expect(legendOf(candle('0.1', '0.3'), { ...btcUsd, tickSize: '0.1' }).change).toBe('+200.00%');
    expect(legendOf(candle('0', '1'), btcUsd).change).toBe('—');
  });
});
