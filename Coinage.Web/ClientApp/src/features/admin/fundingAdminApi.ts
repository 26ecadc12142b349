import { coinageApi } from '../../api/coinageApi';
import type { Amount } from '../../money/money';
import type { Deposit, Withdrawal } from '../wallet/walletApi';
import type { Page } from './adminApi';

export interface AdminMarket {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  basePrecision: number;
  quotePrecision: number;
  tickSize: Amount;
  lotSize: Amount;
  minQuantity: Amount;
  minNotional: Amount;
  makerFeeBps: Amount;
  takerFeeBps: Amount;
  /** cancel_only: only cancels are accepted (an Admin's kill switch, or the circuit breaker reopening the market). */
  status: 'open' | 'halted' | 'cancel_only';
  statusSource: 'admin' | 'circuit_breaker';
  /** When the circuit breaker's current phase ends by itself; null when an Admin set the status. */
  statusUntil: string | null;
  risk: MarketRisk;
}

/** A market's risk controls (docs/exchange.md, "Risk controls"); null turns a limit off. */
export interface MarketRisk {
  priceBandPercent: string | null;
  maxOrderSize: Amount | null;
  maxOrderNotional: Amount | null;
  openOrderLimit: number | null;
  breakerMovePercent: string | null;
  breakerWindowSeconds: number;
  breakerHaltSeconds: number;
  breakerCancelOnlySeconds: number;
}

export interface NewMarket {
  baseAsset: string;
  quoteAsset: string;
  tickSize: Amount;
  lotSize: Amount;
  minQuantity: Amount;
  minNotional: Amount;
  makerFeeBps: Amount;
  takerFeeBps: Amount;
}

export interface PendingDeposit {
  id: string;
  userId: string;
  email: string | null;
  asset: string;
  amount: Amount;
  status: 'pending';
  requiresApproval: boolean;
  createdAt: string;
}

export interface OpenWithdrawal {
  id: string;
  userId: string;
  email: string | null;
  asset: string;
  amount: Amount;
  /** The withdrawal fee stored at request, charged on top of the amount. */
  fee: Amount;
  address: string;
  status: 'awaiting_confirmation' | 'pending' | 'pending_approval';
  createdAt: string;
  confirmedAt: string | null;
}

export interface Decision {
  id: string;
  approve: boolean;
  reason?: string;
}

/** An asset as `GET /api/v1/assets` lists it: its decimals and the fee charged on top of each withdrawal requested now. */
export interface AdminAsset {
  code: string;
  precision: number;
  withdrawalFee: Amount;
}

// 'WithdrawalFees' is the wallet's tag of the same list too: a fee changed here is refetched by an open withdraw form.
const api = coinageApi.enhanceEndpoints({ addTagTypes: ['AdminMarkets', 'AdminFunding', 'WithdrawalFees'] });

/** `/api/v1/admin/markets`, `/api/v1/admin/assets` and `/api/v1/admin/funding` (Admin). */
export const fundingAdminApi = api.injectEndpoints({
  endpoints: (build) => ({
    listAdminMarkets: build.query<AdminMarket[], void>({
      query: () => ({ url: '/api/v1/markets' }),
      providesTags: ['AdminMarkets'],
    }),
    setMarketHalted: build.mutation<AdminMarket, { symbol: string; halted: boolean }>({
      query: ({ symbol, halted }) => ({ url: `/api/v1/admin/markets/${encodeURIComponent(symbol)}/${halted ? 'halt' : 'resume'}`, method: 'POST' }),
      invalidatesTags: (_result, error) => (error ? [] : ['AdminMarkets']),
    }),
    createMarket: build.mutation<AdminMarket, NewMarket>({
      query: (market) => ({ url: '/api/v1/admin/markets', method: 'POST', data: market }),
      invalidatesTags: (_result, error) => (error ? [] : ['AdminMarkets']),
    }),
    createAsset: build.mutation<AdminAsset, { code: string; precision: number; withdrawalFee?: Amount }>({
      query: (asset) => ({ url: '/api/v1/admin/assets', method: 'POST', data: asset }),
      invalidatesTags: (_result, error) => (error ? [] : ['WithdrawalFees']),
    }),
    listAdminAssets: build.query<AdminAsset[], void>({
      query: () => ({ url: '/api/v1/assets' }),
      providesTags: ['WithdrawalFees'],
    }),
    /** Needs a fresh step-up (the app's step-up dialog asks and retries); audited as `asset.withdrawal_fee_changed`. */
    setWithdrawalFee: build.mutation<AdminAsset, { code: string; withdrawalFee: Amount }>({
      query: ({ code, withdrawalFee }) => ({ url: `/api/v1/admin/assets/${encodeURIComponent(code)}/withdrawal-fee`, method: 'PUT', data: { withdrawalFee } }),
      invalidatesTags: (_result, error) => (error ? [] : ['WithdrawalFees']),
    }),
    listPendingDeposits: build.query<Page<PendingDeposit>, { cursor?: string; limit?: number }>({
      query: (params) => ({ url: '/api/v1/admin/funding/deposits', params }),
      providesTags: ['AdminFunding'],
    }),
    listOpenWithdrawals: build.query<Page<OpenWithdrawal>, { cursor?: string; limit?: number }>({
      query: (params) => ({ url: '/api/v1/admin/funding/withdrawals', params }),
      providesTags: ['AdminFunding'],
    }),
    decideDeposit: build.mutation<Deposit, Decision>({
      query: ({ id, approve, reason }) => ({ url: `/api/v1/admin/funding/deposits/${encodeURIComponent(id)}/${approve ? 'approve' : 'reject'}`, method: 'POST', data: { reason } }),
      invalidatesTags: (_result, error) => (error ? [] : ['AdminFunding']),
    }),
    decideWithdrawal: build.mutation<Withdrawal, Decision>({
      query: ({ id, approve, reason }) => ({ url: `/api/v1/admin/funding/withdrawals/${encodeURIComponent(id)}/${approve ? 'approve' : 'reject'}`, method: 'POST', data: { reason } }),
      invalidatesTags: (_result, error) => (error ? [] : ['AdminFunding']),
    }),
  }),
});

export const {
  useListAdminMarketsQuery,
  useSetMarketHaltedMutation,
  useCreateMarketMutation,
  useCreateAssetMutation,
  useListAdminAssetsQuery,
  useSetWithdrawalFeeMutation,
  useListPendingDepositsQuery,
  useListOpenWithdrawalsQuery,
  useDecideDepositMutation,
  useDecideWithdrawalMutation,
} = fundingAdminApi;
