import { useCallback } from 'react';
import { coinageApi } from '../api/coinageApi';
import { type Amount, formatAmount } from './money';

export interface AssetInfo {
  code: string;
  /** Decimals the ledger keeps of the asset: every amount of it is shown and typed to this many. */
  precision: number;
}

/** The ledger's default when the assets have not loaded yet (the API checks the real precision). */
export const fallbackPrecision = 8;

/** `GET /api/v1/assets` (public): every asset with its precision, whether a market trades it or not. */
export const assetsApi = coinageApi.injectEndpoints({
  endpoints: (build) => ({
    getAssets: build.query<Record<string, number>, void>({
      query: () => ({ url: '/api/v1/assets' }),
      transformResponse: (assets: AssetInfo[]) => Object.fromEntries(assets.map((a) => [a.code, a.precision])),
    }),
  }),
});

export const { useGetAssetsQuery } = assetsApi;

/**
 * The shared amount formatter: `format(value, asset)` prints an amount to its asset's decimals with thousands
 * separators ("65,000.00 USD" is `format('65000', 'USD')` + the code), the one way numbers are shown in lists.
 */
export function useAssetFormat() {
  const { data: precisions } = useGetAssetsQuery();
  const precision = useCallback((asset: string) => precisions?.[asset] ?? fallbackPrecision, [precisions]);
  const format = useCallback((value: Amount | null | undefined, asset: string) => formatAmount(value, precision(asset)), [precision]);
  return { precisions: precisions ?? {}, precision, format, loaded: precisions !== undefined };
}
