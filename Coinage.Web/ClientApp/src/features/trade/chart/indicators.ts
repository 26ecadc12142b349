/** Moving averages over closes, for plotting only: the chart takes numbers, and nothing here is money kept. */

export type AverageKind = 'sma' | 'ema';

export interface AverageSpec {
  id: string;
  kind: AverageKind;
  period: number;
}

/** The three averages most traders read on Binance and Kraken Pro: short, medium and long trend. */
export const defaultAverages: readonly AverageSpec[] = [
  { id: 'ma7', kind: 'sma', period: 7 },
  { id: 'ma25', kind: 'sma', period: 25 },
  { id: 'ma99', kind: 'sma', period: 99 },
];

export const averageLabel = (spec: AverageSpec) => `${spec.kind === 'sma' ? 'MA' : 'EMA'} ${spec.period}`;

/**
 * The simple moving average of `values`: entry i is the mean of values i-period+1..i, or null while fewer than
 * `period` values exist (a line that starts too early would show an average of fewer candles than it says).
 */
export function simpleMovingAverage(values: readonly number[], period: number): (number | null)[] {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`period must be a positive integer, not ${period}`);
  const out: (number | null)[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= period) sum -= values[i - period]!;
    out.push(i >= period - 1 ? sum / period : null);
  }
  return out;
}

/**
 * The exponential moving average with the usual smoothing 2/(period+1), seeded with the simple average of the
 * first `period` values (as TradingView does), null before.
 */
export function exponentialMovingAverage(values: readonly number[], period: number): (number | null)[] {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`period must be a positive integer, not ${period}`);
  const k = 2 / (period + 1);
  const out: (number | null)[] = [];
  let previous: number | null = null;
  let seed = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (previous === null) {
      seed += value;
      if (i === period - 1) previous = seed / period;
      out.push(previous);
    } else {
      previous = value * k + previous * (1 - k);
      out.push(previous);
    }
  }
  return out;
}

export function movingAverage(values: readonly number[], spec: AverageSpec): (number | null)[] {
  return spec.kind === 'sma' ? simpleMovingAverage(values, spec.period) : exponentialMovingAverage(values, spec.period);
}
