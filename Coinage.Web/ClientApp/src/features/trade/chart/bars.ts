import type { CandlestickData, HistogramData, LineData, UTCTimestamp, WhitespaceData } from 'lightweight-charts';
import type { Candle } from '../../../realtime/types';
import { type AverageSpec, movingAverage } from './indicators';

/*
 * The chart library draws on a canvas and takes numbers: a candle is converted only here, for plotting.
 * Every sum (volume, quote volume) is done with decimals before (candles.ts).
 */

export const timeOf = (c: Candle) => (Date.parse(c.time) / 1000) as UTCTimestamp;

export function toBar(c: Candle): CandlestickData<UTCTimestamp> {
  return { time: timeOf(c), open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close) };
}

/** A volume bar in the colour of its candle (up: close at or above open). */
export function toVolume(c: Candle, colors: { up: string; down: string }): HistogramData<UTCTimestamp> {
  return { time: timeOf(c), value: Number(c.volume), color: Number(c.close) >= Number(c.open) ? colors.up : colors.down };
}

/** One average's line; candles before it has enough history are whitespace, so the line starts where it is true. */
export function toAverage(candles: readonly Candle[], spec: AverageSpec): (LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>)[] {
  const values = movingAverage(
    candles.map((c) => Number(c.close)),
    spec,
  );
  return candles.map((c, i) => (values[i] == null ? { time: timeOf(c) } : { time: timeOf(c), value: values[i]! }));
}
