import type { Profile } from '../account/accountApi';
import type { Balance, Withdrawal, WithdrawalAddress } from './walletApi';

export const profile: Profile = {
  id: '0193a000-0000-7000-8000-000000000001',
  email: 'trader@example.com',
  emailVerified: true,
  twoFactorEnabled: false,
  hasAntiPhishingPhrase: false,
  antiPhishingPhrase: null,
  roles: ['Trader'],
  createdAt: '2026-11-01T10:00:00Z',
};

export const balances: Balance[] = [
  { asset: 'BTC', available: '1.5', held: '0.25', total: '1.75' },
  { asset: 'USD', available: '1000', held: '0', total: '1000' },
];

export const markets = [
  { symbol: 'BTC-USD', baseAsset: 'BTC', quoteAsset: 'USD', basePrecision: 8, quotePrecision: 2, tickSize: '1', lotSize: '0.01', minQuantity: '0.01', minNotional: '10', makerFeeBps: '10', takerFeeBps: '20', status: 'open' },
];

/** `GET /api/v1/assets`: the decimals every amount of an asset is shown to, and its withdrawal fee (the seeded ones). */
export const assets = [
  { code: 'BTC', precision: 8, withdrawalFee: '0.0002' },
  { code: 'ETH', precision: 8, withdrawalFee: '0.002' },
  { code: 'USD', precision: 2, withdrawalFee: '5' },
];

export function withdrawal(overrides: Partial<Withdrawal> = {}): Withdrawal {
  return {
    id: '7',
    asset: 'BTC',
    amount: '0.25',
    fee: '0.0002',
    total: '0.2502',
    address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
    status: 'awaiting_confirmation',
    reason: null,
    createdAt: '2026-11-24T09:00:00Z',
    confirmationExpiresAt: '2026-11-24T09:30:00Z',
    confirmedAt: null,
    completedAt: null,
    addressId: '3',
    ...overrides,
  };
}

/** A saved address; past its hold unless `usableFrom` says otherwise. */
export function savedAddress(overrides: Partial<WithdrawalAddress> = {}): WithdrawalAddress {
  return {
    id: '3',
    asset: 'BTC',
    label: 'Cold wallet',
    address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
    createdAt: '2026-11-20T09:00:00Z',
    usableFrom: '2026-11-21T09:00:00Z',
    usable: true,
    ...overrides,
  };
}
