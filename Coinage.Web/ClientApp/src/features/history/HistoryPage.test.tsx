import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiClient } from '../../api/client';
import { btcUsd, ethUsd } from '../../test/marketFixtures';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { assets } from '../wallet/fixtures';
import type { FillRow, OrderRow } from './historyApi';

const order: OrderRow = {
  id: '41',
  clientOrderId: 'my-1',
  market: 'BTC-USD',
  side: 'sell',
  type: 'limit',
  timeInForce: 'gtc',
  postOnly: false,
  status: 'cancelled',
  price: '65000',
  quantity: '0.05',
  quoteAmount: null,
  filledQuantity: '0.02',
  filledQuote: '1300',
  averagePrice: '65000',
  fee: '1.3',
  holdAsset: 'BTC',
  remainingHold: '0',
  createdAt: '2026-11-24T08:00:00Z',
  updatedAt: '2026-11-24T08:05:00Z',
  closeReason: 'user',
};

const fill: FillRow = {
  id: '7',
  orderId: '41',
  market: 'BTC-USD',
  side: 'sell',
  liquidity: 'maker',
  price: '65000',
  quantity: '0.02',
  quoteAmount: '1300',
  fee: '1.3',
  feeAsset: 'USD',
  createdAt: '2026-11-24T08:01:00Z',
};

/** The query string a mocked request carried. */
const sent = (config: { params?: unknown }) => new URLSearchParams(config.params as URLSearchParams).toString();

describe('history page', { timeout: 60_000 }, () => {
  let http: MockAdapter;
  let searches: string[];

  beforeEach(() => {
    searches = [];
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/markets').reply(200, [btcUsd, ethUsd]);
    http.onGet('/api/v1/assets').reply(200, assets);
    http.onGet('/api/v1/search/orders').reply((config) => {
      searches.push(`orders?${sent(config)}`);
      return [200, { items: [order], nextCursor: null }];
    });
    http.onGet('/api/v1/search/trades').reply((config) => {
      searches.push(`fills?${sent(config)}`);
      return [200, { items: [fill], nextCursor: null }];
    });
  });

  afterEach(() => {
    http.restore();
    vi.restoreAllMocks();
  });

  it('reads its filters from the URL, sends them to the API and shows numbers to their assets’ decimals', async () => {
    renderApp('/history?market=btc-usd&side=sell&status=cancelled&from=2026-11-01&to=2026-11-30');

    const grid = await screen.findByRole('grid', { name: 'Orders' });
    // Price and average price.
    await waitFor(() => expect(within(grid).getAllByText('65,000.00')).toHaveLength(2));
    const from = encodeURIComponent(new Date(2026, 10, 1).toISOString());
    const to = encodeURIComponent(new Date(2026, 11, 1).toISOString());
    expect(searches).toContain(`orders?market=BTC-USD&side=sell&status=cancelled&from=${from}&to=${to}&limit=50`);
    // Amount to BTC's 8 decimals, price, total and fee to USD's 2, the fee and cancel reason in their columns.
    const row = within(grid).getAllByRole('row')[1]!;
    expect(row).toHaveTextContent('0.05000000');
    expect(row).toHaveTextContent('0.02000000');
    expect(row).toHaveTextContent('1,300.00 USD');
    expect(row).toHaveTextContent('1.30 USD');
    expect(row).toHaveTextContent('cancelled by you');
    expect(within(row).getByText('Sell')).toBeInTheDocument();
  });

  it('keeps a changed filter in the URL and asks the API again; the fills have their own filters', async () => {
    const user = userEvent.setup();
    renderApp('/history?market=BTC-USD&status=filled');
    await screen.findByRole('grid', { name: 'Orders' });

    await user.click(screen.getByRole('combobox', { name: /^Side/ }));
    await user.click(await screen.findByRole('option', { name: 'Buy' }));
    await waitFor(() => expect(window.location.search).toBe('?market=BTC-USD&side=buy&status=filled'));
    await waitFor(() => expect(searches).toContain('orders?market=BTC-USD&side=buy&status=filled&limit=50'));

    await user.click(screen.getByRole('tab', { name: 'Fills' }));
    await waitFor(() => expect(window.location.search).toBe('?view=fills&market=BTC-USD&side=buy'));
    const grid = await screen.findByRole('grid', { name: 'Fills' });
    await waitFor(() => expect(within(grid).getByText('Maker')).toBeInTheDocument());
    expect(searches).toContain('fills?market=BTC-USD&side=buy&limit=50');

    await user.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(window.location.search).toBe('?view=fills'));
  });

  it('says what is wrong with the dates before asking', async () => {
    renderApp('/history?from=2026-11-30&to=2026-11-01');
    expect(await screen.findByText('Must not be before “From”.')).toBeInTheDocument();
    expect(searches.filter((s) => s.startsWith('orders'))).toEqual([]);
  });

  it('exports the filtered orders as a CSV download, and shows the API’s refusal', async () => {
    const exports: string[] = [];
    let refuse = false;
    http.onGet('/api/v1/orders/export.csv').reply((config) => {
      exports.push(sent(config));
      return refuse
        ? [429, new Blob([JSON.stringify({ title: 'Too many requests.', detail: 'Try again in 5 minutes.', code: 'rate_limited' })], { type: 'application/problem+json' })]
        : [200, new Blob(['created_at,order_id\r\n'], { type: 'text/csv' }), { 'content-disposition': "attachment; filename=coinage-orders-20261124T080000Z.csv; filename*=UTF-8''coinage-orders-20261124T080000Z.csv" }];
    });
    const created = vi.fn(() => 'blob:csv');
    Object.assign(URL, { createObjectURL: created, revokeObjectURL: vi.fn() });
    const downloads: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(`${this.download} ${this.href}`);
    });
    const user = userEvent.setup();
    renderApp('/history?market=BTC-USD&side=sell');
    await screen.findByRole('grid', { name: 'Orders' });

    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(downloads).toEqual(['coinage-orders-20261124T080000Z.csv blob:csv']));
    expect(exports).toEqual(['market=BTC-USD&side=sell']);

    refuse = true;
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(await screen.findByText('Try again in 5 minutes.')).toBeInTheDocument();
    expect(downloads).toHaveLength(1);
  });
});
