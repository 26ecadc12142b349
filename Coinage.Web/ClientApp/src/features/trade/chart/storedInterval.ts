import { type CandleInterval, candleIntervals } from '../tradingApi';

const key = 'coinage.chart.interval';

/** The interval this browser chose last; 1h before the first choice, or when storage is unavailable or holds junk. */
export function storedInterval(): CandleInterval {
  try {
    const value = localStorage.getItem(key);
    return (candleIntervals as readonly string[]).includes(value ?? '') ? (value as CandleInterval) : '1h';
  } catch {
    return '1h';
  }
}

export function storeInterval(interval: CandleInterval): void {
  try {
    localStorage.setItem(key, interval);
  } catch {
    // Private modes may refuse storage: the choice then lasts for this page only.
  }
}
