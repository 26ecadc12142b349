import { Decimal, decimalPlaces, formatAmount } from '../../money/money';
import type { Market } from './tradingApi';

/** Prices with the decimals of the market's tick, sizes with those of its lot, quote sums with the quote asset's. */
export const formatPrice = (value: string | Decimal | null | undefined, m: Market) => formatAmount(value, decimalPlaces(m.tickSize));
export const formatSize = (value: string | Decimal | null | undefined, m: Market) => formatAmount(value, decimalPlaces(m.lotSize));
export const formatQuote = (value: string | Decimal | null | undefined, m: Market) => formatAmount(value, m.quotePrecision);

/** Green up, red down, neutral when flat or unknown. */
export function changeColor(percent: string | null | undefined): 'success.main' | 'error.main' | 'text.secondary' {
  if (percent == null || percent === '') return 'text.secondary';
  const d = new Decimal(percent);
  return d.isZero() ? 'text.secondary' : d.isNegative() ? 'error.main' : 'success.main';
}

export const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** The tape's time: 24-hour in every locale ("14:05:09", not "02:05:09 PM"), so the narrow column fits it. */
export const tapeTimeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** Read by screen readers, not shown: what colour alone says on screen (e.g. a trade's side). */
export const visuallyHidden = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;
