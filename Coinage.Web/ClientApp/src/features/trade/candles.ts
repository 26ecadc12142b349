import { Decimal } from '../../money/money';
import type { Candle, PublicTrade } from '../../realtime/types';
import type { CandleInterval } from './tradingApi';

export const intervalMs: Record<CandleInterval, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
  '1w': 604_800_000,
};

/**
 * The API buckets from Monday 2000-01-03 00:00 UTC so that weeks start on Monday; the Unix epoch was a
 * Thursday, so buckets counted from it would start weeks there. Shorter intervals divide a day and are
 * unaffected by the choice.
 */
const origin = Date.UTC(2000, 0, 3);

/** The start of the bucket a time falls in (UTC, as the API buckets). */
export function bucketStart(at: string, interval: CandleInterval): string {
  const step = intervalMs[interval];
  const offset = (((Date.parse(at) - origin) % step) + step) % step;
  return new Date(Date.parse(at) - offset).toISOString();
}

/** Folds a live trade into the candles (ascending): the last candle grows, or a new one opens. */
export function mergeTrade(candles: readonly Candle[], trade: PublicTrade, interval: CandleInterval): Candle[] {
  const time = bucketStart(trade.at, interval);
  const last = candles.at(-1);
  const quote = new Decimal(trade.price).times(trade.quantity);
  if (last && Date.parse(last.time) === Date.parse(time)) {
    const updated: Candle = {
      ...last,
      high: Decimal.max(last.high, trade.price).toFixed(),
      low: Decimal.min(last.low, trade.price).toFixed(),
      close: trade.price,
      volume: new Decimal(last.volume).plus(trade.quantity).toFixed(),
      quoteVolume: new Decimal(last.quoteVolume).plus(quote).toFixed(),
    };
    return [...candles.slice(0, -1), updated];
  }
  if (last && Date.parse(last.time) > Date.parse(time)) {
    // A trade older than the newest candle is already in the REST answer.
    return candles as Candle[];
  }
  return [...candles, { time, open: trade.price, high: trade.price, low: trade.price, close: trade.price, volume: trade.quantity, quoteVolume: quote.toFixed() }];
}
