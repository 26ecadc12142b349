import { coinageApi } from '../../api/coinageApi';
import type { AdminMarket, MarketRisk } from './fundingAdminApi';

export type MarketStatusAction = 'halt' | 'cancel-only' | 'resume';

export interface TradingSuspension {
  userId: string;
  suspended: boolean;
  suspendedAt: string | null;
}

const api = coinageApi.enhanceEndpoints({ addTagTypes: ['AdminMarkets', 'AdminUsers'] });

/** The kill switches and risk controls of the admin API (Admin, step-up; docs/exchange.md, "Risk controls"). */
export const riskAdminApi = api.injectEndpoints({
  endpoints: (build) => ({
    setMarketStatus: build.mutation<AdminMarket, { symbol: string; action: MarketStatusAction }>({
      query: ({ symbol, action }) => ({ url: `/api/v1/admin/markets/${encodeURIComponent(symbol)}/${action}`, method: 'POST' }),
      invalidatesTags: (_result, error) => (error ? [] : ['AdminMarkets']),
    }),
    updateMarketRisk: build.mutation<AdminMarket, { symbol: string; risk: MarketRisk }>({
      query: ({ symbol, risk }) => ({ url: `/api/v1/admin/markets/${encodeURIComponent(symbol)}/risk`, method: 'PUT', data: risk }),
      invalidatesTags: (_result, error) => (error ? [] : ['AdminMarkets']),
    }),
    setTradingSuspended: build.mutation<TradingSuspension, { id: string; suspended: boolean; cancelOrders?: boolean }>({
      query: ({ id, suspended, cancelOrders }) => ({
        url: `/api/v1/admin/users/${encodeURIComponent(id)}/trading-suspension`,
        method: suspended ? 'POST' : 'DELETE',
        ...(suspended && { data: { cancelOrders: cancelOrders ?? false } }),
      }),
      invalidatesTags: (_result, error) => (error ? [] : ['AdminUsers']),
    }),
  }),
});

export const { useSetMarketStatusMutation, useUpdateMarketRiskMutation, useSetTradingSuspendedMutation } = riskAdminApi;
