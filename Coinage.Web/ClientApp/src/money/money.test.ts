import { describe, expect, it } from 'vitest';
import { compareAmounts, decimalPlaces, formatAmount, formatPercent, isMultipleOf, multiply, parseAmount } from './money';

describe('money', () => {
  it('parses only plain decimal strings', () => {
    expect(parseAmount('1.50')?.toFixed()).toBe('1.5');
    expect(parseAmount('.5')?.toFixed()).toBe('0.5');
    for (const bad of ['', '-1', '1e5', 'abc', '1.2.3', ' ']) {
      expect(parseAmount(bad)).toBeNull();
    }
  });

  it('formats with the asset precision and separators, without floating-point error', () => {
    expect(formatAmount('1234567.891', 2)).toBe('1,234,567.89');
    expect(formatAmount('0.1', 8)).toBe('0.10000000');
    expect(formatAmount(null, 2)).toBe('—');
    expect(multiply('0.1', '0.2', 8)).toBe('0.02');
  });

  it('compares, counts decimals and checks grids exactly', () => {
    expect(compareAmounts('0.3', '0.30')).toBe(0);
    expect(compareAmounts('10', '9.99')).toBe(1);
    expect(decimalPlaces('1.2300')).toBe(4);
    expect(isMultipleOf('0.3', '0.1')).toBe(true);
    expect(isMultipleOf('0.35', '0.1')).toBe(false);
    expect(formatPercent('1.234')).toBe('+1.23%');
    expect(formatPercent('-0.5')).toBe('-0.50%');
  });
});
