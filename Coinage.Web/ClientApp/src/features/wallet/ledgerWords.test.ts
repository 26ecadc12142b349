import { describe, expect, it } from 'vitest';
import { ledgerWords } from './ledgerWords';
import type { LedgerLine } from './walletApi';

const line = (overrides: Partial<LedgerLine>): LedgerLine => ({
  id: '1',
  entryId: '1',
  kind: 'deposit',
  reference: '42',
  asset: 'USD',
  account: 'available',
  amount: '100',
  createdAt: '2026-11-24T08:00:00Z',
  trade: null,
  ...overrides,
});

const trade = (side: 'buy' | 'sell') => ({
  id: '9',
  market: 'BTC-USD',
  baseAsset: 'BTC',
  quoteAsset: 'USD',
  side,
  price: '65000',
  quantity: '0.05',
  quoteAmount: '3250',
  fee: '3.25',
  feeAsset: 'USD',
});

describe('the ledger in words', () => {
  it('reads both sides of a trade, with its fee on the quote line', () => {
    expect(ledgerWords(line({ kind: 'trade', asset: 'BTC', amount: '0.05', trade: trade('buy') }))).toBe('Bought 0.05 BTC at 65,000 USD');
    expect(ledgerWords(line({ kind: 'trade', asset: 'USD', account: 'held', amount: '-3253.25', trade: trade('buy') }))).toBe(
      'Paid for 0.05 BTC at 65,000 USD, fee 3.25 USD',
    );
    expect(ledgerWords(line({ kind: 'trade', asset: 'BTC', account: 'held', amount: '-0.05', trade: trade('sell') }))).toBe('Sold 0.05 BTC at 65,000 USD');
    expect(ledgerWords(line({ kind: 'trade', asset: 'USD', amount: '3246.75', trade: trade('sell') }))).toBe('Received for 0.05 BTC at 65,000 USD, fee 3.25 USD');
    expect(ledgerWords(line({ kind: 'trade', asset: 'USD', trade: { ...trade('sell'), fee: '0' } }))).toBe('Received for 0.05 BTC at 65,000 USD, no fee');
  });

  it('names holds, releases and funding by their reference', () => {
    expect(ledgerWords(line({ kind: 'deposit' }))).toBe('Deposit');
    expect(ledgerWords(line({ kind: 'order_hold' }))).toBe('Hold for order 42');
    expect(ledgerWords(line({ kind: 'hold_release' }))).toBe('Released from order 42');
    expect(ledgerWords(line({ kind: 'withdrawal_request' }))).toBe('Hold for withdrawal 42');
    expect(ledgerWords(line({ kind: 'withdrawal' }))).toBe('Withdrawal');
    expect(ledgerWords(line({ kind: 'withdrawal_rejected' }))).toBe('Released: withdrawal 42 returned');
  });

  it('names the withdrawal fee on a completed withdrawal, taken with the amount in one entry', () => {
    const withdrawal = { id: '42', amount: '0.5', fee: '0.0002', address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' };
    expect(ledgerWords(line({ kind: 'withdrawal', asset: 'BTC', account: 'held', amount: '-0.5002', withdrawal }))).toBe('Withdrawal of 0.5 BTC, withdrawal fee 0.0002 BTC');
    expect(ledgerWords(line({ kind: 'withdrawal', amount: '-1000', withdrawal: { ...withdrawal, amount: '1000', fee: '0' } }))).toBe('Withdrawal of 1,000 USD');
  });

  it('falls back to the API’s words for a trade without details or a kind it does not know', () => {
    expect(ledgerWords(line({ kind: 'trade', trade: null }))).toBe('Trade');
    expect(ledgerWords(line({ kind: 'interest' }))).toBe('interest');
  });
});
