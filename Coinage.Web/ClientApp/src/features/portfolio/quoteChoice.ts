import type { Market } from '../trade/tradingApi';

/** The asset the home page values the portfolio in, remembered by this browser. */
export const quoteStorageKey = 'coinage.portfolioQuote';
export const defaultQuote = 'USD';

export function storedQuote(): string {
  try {
    return window.localStorage.getItem(quoteStorageKey) ?? defaultQuote;
  } catch {
    return defaultQuote;
  }
}

export function rememberQuote(code: string): void {
  try {
    window.localStorage.setItem(quoteStorageKey, code);
  } catch {
    // Quota or privacy mode: the next visit values in USD again.
  }
}

/** Every asset a market trades, in order: what the portfolio can be valued in. */
export function listedAssets(markets: readonly Market[]): string[] {
  return [...new Set(markets.flatMap((m) => [m.baseAsset, m.quoteAsset]))].sort();
}

/** The decimals the exchange shows an asset with: its precision as a market's quote, else as a base, else 2. */
export function assetPrecision(markets: readonly Market[], code: string): number {
  const asQuote = markets.find((m) => m.quoteAsset === code);
  if (asQuote) return asQuote.quotePrecision;
  return markets.find((m) => m.baseAsset === code)?.basePrecision ?? 2;
}
