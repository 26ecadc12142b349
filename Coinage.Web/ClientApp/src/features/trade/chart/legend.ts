import { Decimal, formatPercent } from '../../../money/money';
import type { Candle } from '../../../realtime/types';
import { formatPrice, formatSize } from '../format';
import type { Market } from '../tradingApi';

export interface Legend {
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  /** Close against open of the same candle, as Binance and Kraken Pro show it: "+1.25%". */
  change: string;
  direction: 'up' | 'down' | 'flat';
}

/** What the legend shows for one candle, with the market's tick and lot precision; computed in decimals. */
export function legendOf(candle: Candle, market: Market): Legend {
  const open = new Decimal(candle.open);
  const move = new Decimal(candle.close).minus(open);
  const percent = open.isZero() ? null : move.div(open).times(100).toFixed();
  return {
    open: formatPrice(candle.open, market),
    high: formatPrice(candle.high, market),
    low: formatPrice(candle.low, market),
    close: formatPrice(candle.close, market),
    volume: formatSize(candle.volume, market),
    change: formatPercent(percent),
    direction: move.isZero() ? 'flat' : move.isNegative() ? 'down' : 'up',
  };
}
