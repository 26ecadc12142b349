import Decimal from 'decimal.js';

/**
 * Money in the browser: amounts travel as decimal strings (the API's convention) and any
 * arithmetic goes through decimal.js, never through JavaScript numbers.
 */
export type Amount = string;

/** A plain decimal string as the user may type it: digits, at most one point, no sign or exponent. */
const plainDecimal = /^(\d+(\.\d*)?|\.\d+)$/;

export function isDecimalString(value: string): boolean {
  return plainDecimal.test(value.trim());
}

/** Parses a plain decimal string; `null` for anything else (signs, exponents, letters, empty). */
export function parseAmount(value: string | null | undefined): Decimal | null {
  if (value == null) return null;
  const trimmed = value.trim();
  return plainDecimal.test(trimmed) ? new Decimal(trimmed) : null;
}

/** How many decimals a typed amount carries ("1.2300" has 4). */
export function decimalPlaces(value: string): number {
  const point = value.trim().indexOf('.');
  return point < 0 ? 0 : value.trim().length - point - 1;
}

/** Formats an amount with exactly `precision` decimals (rounding half-up) and thousands separators. */
export function formatAmount(value: Amount | Decimal | null | undefined, precision: number): string {
  if (value == null || value === '') return '—';
  const d = value instanceof Decimal ? value : new Decimal(value);
  const [whole = '0', fraction] = d.toFixed(precision, Decimal.ROUND_HALF_UP).split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** A signed percentage with two decimals, e.g. "+1.25%". */
export function formatPercent(value: Amount | null | undefined): string {
  if (value == null || value === '') return '—';
  const d = new Decimal(value);
  return `${d.isPositive() && !d.isZero() ? '+' : ''}${d.toFixed(2, Decimal.ROUND_HALF_UP)}%`;
}

/** a × b, as a plain string with at most `precision` decimals (rounded down: never overstate). */
export function multiply(a: Amount, b: Amount, precision: number): Amount {
  return new Decimal(a).times(b).toDecimalPlaces(precision, Decimal.ROUND_DOWN).toFixed();
}

export function compareAmounts(a: Amount, b: Amount): number {
  return new Decimal(a).comparedTo(b);
}

/** Whether `value` lies on the grid of `step` (e.g. a price on the tick size). */
export function isMultipleOf(value: Amount, step: Amount): boolean {
  return new Decimal(value).mod(step).isZero();
}

export { Decimal };
