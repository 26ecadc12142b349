import { coinageApi } from '../../api/coinageApi';
import type { Candle } from '../../realtime/types';

/** Hourly closes of the last day: what a market's sparkline draws. */
export const sparklineHours = 24;

export const homeApi = coinageApi.injectEndpoints({
  endpoints: (build) => ({
    getSparkline: build.query<Candle[], string>({
      query: (symbol) => ({ url: `/api/v1/markets/${encodeURIComponent(symbol)}/candles`, params: { interval: '1h', limit: sparklineHours } }),
      // Hourly candles move slowly; the live ticker moves the line's last point in between.
      keepUnusedDataFor: 300,
    }),
  }),
});

export const { useGetSparklineQuery } = homeApi;
