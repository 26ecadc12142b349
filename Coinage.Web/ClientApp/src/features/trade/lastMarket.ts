/** Where the Trade link goes: the market this browser last traded, BTC-USD until there is one. */
export const lastMarketStorageKey = 'coinage.lastMarket';
export const defaultMarket = 'BTC-USD';

export function lastMarket(): string {
  try {
    return window.localStorage.getItem(lastMarketStorageKey) ?? defaultMarket;
  } catch {
    return defaultMarket;
  }
}

/** Called by the trade page once the market exists, so an unknown symbol in an address is never remembered. */
export function rememberMarket(symbol: string): void {
  try {
    window.localStorage.setItem(lastMarketStorageKey, symbol);
  } catch {
    // Quota or privacy mode: the Trade link then opens the default market.
  }
}
