import { coinageApi } from '../../api/coinageApi';
import type { Amount } from '../../money/money';
import type { CursorPage as Page } from '../../table/cursorPages';

export interface Balance {
  asset: string;
  available: Amount;
  held: Amount;
  total: Amount;
}

export type { Page };

export interface LedgerLine {
  id: string;
  entryId: string;
  kind: string;
  reference: string;
  asset: string;
  account: 'available' | 'held';
  amount: Amount;
  createdAt: string;
  /** The user's side of the trade, on the postings of a trade settlement (kind `trade`). */
  trade?: LedgerTrade | null;
  /** The withdrawal, on the postings of its request, completion or release (kinds `withdrawal_request`, `withdrawal`, `withdrawal_rejected`). */
  withdrawal?: LedgerWithdrawal | null;
}

/** A withdrawal as its ledger lines name it: the amount sent and the fee charged on top, in the line's asset. */
export interface LedgerWithdrawal {
  id: string;
  amount: Amount;
  fee: Amount;
  address: string;
}

export interface LedgerTrade {
  id: string;
  market: string;
  baseAsset: string;
  quoteAsset: string;
  side: 'buy' | 'sell';
  price: Amount;
  quantity: Amount;
  quoteAmount: Amount;
  /** The user's fee of the trade, in `feeAsset` (the quote asset), inside the quote posting. */
  fee: Amount;
  feeAsset: string;
}

/** The ledger's filters, as `GET /api/v1/wallet/ledger` and its CSV export take them. */
export interface LedgerFilter {
  asset?: string;
  from?: string;
  to?: string;
}

export type DepositStatus = 'pending' | 'confirmed' | 'rejected';

export interface Deposit {
  id: string;
  asset: string;
  amount: Amount;
  status: DepositStatus;
  createdAt: string;
  completedAt: string | null;
  reason: string | null;
}

export type WithdrawalStatus = 'awaiting_confirmation' | 'pending' | 'pending_approval' | 'completed' | 'rejected' | 'cancelled' | 'expired';

export interface Withdrawal {
  id: string;
  asset: string;
  /** What the recipient gets. */
  amount: Amount;
  /** The asset's withdrawal fee when it was requested, charged on top of the amount (the one charged, whatever the fee is now). */
  fee: Amount;
  /** Amount + fee: held while in flight, what leaves the balance when it completes. */
  total: Amount;
  address: string;
  status: WithdrawalStatus;
  reason: string | null;
  createdAt: string;
  confirmationExpiresAt: string;
  confirmedAt: string | null;
  completedAt: string | null;
  /** The address-book entry it went to (perhaps removed since); null before the address book. */
  addressId: string | null;
}

export interface WithdrawalRequest {
  asset: string;
  amount: Amount;
  /** A saved address of the asset, past its hold. */
  addressId: string;
  twoFactorCode?: string;
  idempotencyKey: string;
}

/** An entry of the withdrawal address book. A new one is on hold until `usableFrom`. */
export interface WithdrawalAddress {
  id: string;
  asset: string;
  label: string;
  address: string;
  createdAt: string;
  usableFrom: string;
  usable: boolean;
}

export interface NewWithdrawalAddress {
  asset: string;
  label: string;
  address: string;
}

/** Whether the hold is over at `now` (the list's `usable` was true when it was fetched; time moves on). */
export function isUsable(entry: WithdrawalAddress, now: number = Date.now()): boolean {
  return entry.usable || Date.parse(entry.usableFrom) <= now;
}

/** Statuses in which a withdrawal still holds its funds and can be cancelled. */
export const openWithdrawalStatuses: readonly WithdrawalStatus[] = ['awaiting_confirmation', 'pending', 'pending_approval'];

export const withdrawalStatusLabels: Record<WithdrawalStatus, string> = {
  awaiting_confirmation: 'Awaiting email confirmation',
  pending: 'Processing',
  pending_approval: 'Awaiting approval',
  completed: 'Completed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  expired: 'Expired (not confirmed)',
};

const api = coinageApi.enhanceEndpoints({ addTagTypes: ['Balances', 'Ledger', 'Deposits', 'Withdrawals', 'WithdrawalAddresses', 'WithdrawalFees'] });

const afterMoneyMoved = ['Balances', 'Ledger'] as const;

/**
 * `/api/v1/wallet/*`: balances, ledger, deposits and withdrawals. Writes carry an `Idempotency-Key`
 * chosen by the caller, so a retry after a lost answer returns the same deposit or withdrawal.
 */
export const walletApi = api.injectEndpoints({
  endpoints: (build) => ({
    getBalances: build.query<Balance[], void>({
      query: () => ({ url: '/api/v1/wallet/balances' }),
      providesTags: ['Balances'],
    }),
    getLedger: build.query<Page<LedgerLine>, LedgerFilter & { cursor?: string; limit?: number }>({
      query: (params) => ({ url: '/api/v1/wallet/ledger', params }),
      providesTags: ['Ledger'],
    }),
    getDeposits: build.query<Page<Deposit>, { cursor?: string; limit?: number }>({
      query: (params) => ({ url: '/api/v1/wallet/deposits', params }),
      providesTags: ['Deposits'],
    }),
    getWithdrawals: build.query<Page<Withdrawal>, { cursor?: string; limit?: number }>({
      query: (params) => ({ url: '/api/v1/wallet/withdrawals', params }),
      providesTags: ['Withdrawals'],
    }),
    /** Each asset's withdrawal fee now (`GET /api/v1/assets`), by code: what a withdrawal requested now is charged on top. */
    getWithdrawalFees: build.query<Record<string, Amount>, void>({
      query: () => ({ url: '/api/v1/assets' }),
      transformResponse: (assets: { code: string; withdrawalFee?: Amount }[]) => Object.fromEntries(assets.map((a) => [a.code, a.withdrawalFee ?? '0'])),
      providesTags: ['WithdrawalFees'],
    }),
    getWithdrawalAddresses: build.query<WithdrawalAddress[], void>({
      query: () => ({ url: '/api/v1/wallet/withdrawal-addresses' }),
      providesTags: ['WithdrawalAddresses'],
    }),
    addWithdrawalAddress: build.mutation<WithdrawalAddress, NewWithdrawalAddress>({
      query: (body) => ({ url: '/api/v1/wallet/withdrawal-addresses', method: 'POST', data: body }),
      invalidatesTags: (_result, error) => (error ? [] : ['WithdrawalAddresses']),
    }),
    removeWithdrawalAddress: build.mutation<void, string>({
      query: (id) => ({ url: `/api/v1/wallet/withdrawal-addresses/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: (_result, error) => (error ? [] : ['WithdrawalAddresses']),
    }),
    deposit: build.mutation<Deposit, { asset: string; amount: Amount; idempotencyKey: string }>({
      query: ({ idempotencyKey, ...body }) => ({ url: '/api/v1/wallet/deposits', method: 'POST', data: body, headers: { 'Idempotency-Key': idempotencyKey } }),
      invalidatesTags: (_result, error) => (error ? [] : [...afterMoneyMoved, 'Deposits']),
    }),
    withdraw: build.mutation<Withdrawal, WithdrawalRequest>({
      query: ({ idempotencyKey, twoFactorCode, ...body }) => ({
        url: '/api/v1/wallet/withdrawals',
        method: 'POST',
        data: { ...body, ...(twoFactorCode ? { twoFactorCode } : {}) },
        headers: { 'Idempotency-Key': idempotencyKey },
      }),
      // A refusal may come from a fee an Admin changed since the form loaded it: the form shows the fee now.
      invalidatesTags: (_result, error) => (error ? ['WithdrawalFees'] : [...afterMoneyMoved, 'Withdrawals']),
    }),
    confirmWithdrawal: build.mutation<Withdrawal, string>({
      query: (token) => ({ url: '/api/v1/wallet/withdrawals/confirm', method: 'POST', data: { token } }),
      invalidatesTags: (_result, error) => (error ? [] : ['Withdrawals']),
    }),
    cancelWithdrawal: build.mutation<Withdrawal, string>({
      query: (id) => ({ url: `/api/v1/wallet/withdrawals/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: (_result, error) => (error ? [] : [...afterMoneyMoved, 'Withdrawals']),
    }),
  }),
});

export const {
  useGetBalancesQuery,
  useGetLedgerQuery,
  useGetDepositsQuery,
  useGetWithdrawalsQuery,
  useGetWithdrawalFeesQuery,
  useDepositMutation,
  useWithdrawMutation,
  useConfirmWithdrawalMutation,
  useCancelWithdrawalMutation,
  useGetWithdrawalAddressesQuery,
  useAddWithdrawalAddressMutation,
  useRemoveWithdrawalAddressMutation,
} = walletApi;

/** A fresh key per distinct request: the same values retried reuse it, changed values get a new one. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
