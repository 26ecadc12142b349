import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiClient } from '../../api/client';
import { type AppStore, makeStore } from '../../app/store';
import { fakeHubs } from '../../test/fakeHub';
import { btcBook, btcUsd, ethUsd, ticker } from '../../test/marketFixtures';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';

// The chart draws on a canvas, which jsdom has not; PriceChart.test.tsx covers it.
vi.mock('./PriceChart', () => ({ PriceChart: () => <section aria-label="Price chart" /> }));

/** A window narrower than md (900 px): every max-width query matches, every min-width one does not. */
function narrowWindow() {
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: query.includes('max-width'),
    media: query,
    onchange: null,
    addEventListener: () => {},
    removeEventListener: () => {},
    addListener: () => {},
    removeListener: () => {},
    dispatchEvent: () => false,
  }));
}

describe('trade page layout', () => {
  let http: MockAdapter;
  let store: AppStore;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/markets').reply(200, [btcUsd, ethUsd]);
    http.onGet('/api/v1/markets/tickers').reply(200, [ticker('BTC-USD', '65000', '2.00')]);
    http.onGet('/api/v1/markets/BTC-USD/trades').reply(200, []);
    http.onGet('/api/v1/wallet/balances').reply(200, [
      { asset: 'USD', available: '10000', held: '6412.8', total: '16412.8' },
      { asset: 'DOGE', available: '0', held: '0', total: '0' },
      { asset: 'ETH', available: '1.5', held: '0', total: '1.5' },
    ]);
    http.onGet('/api/v1/orders/open').reply(200, { items: [], nextCursor: null });
    store = makeStore(undefined, { hubConnectionFactory: fakeHubs([btcBook]).factory });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    store.session.cancelSchedule();
    store.realtime.close();
    http.restore();
  });

  it('shows every panel at once at desktop widths, with balances in the bottom panel', async () => {
    const user = userEvent.setup({ delay: null });
    renderApp('/trade/BTC-USD', store);
    expect(await screen.findByRole('region', { name: 'Order book' })).toBeVisible();
    for (const name of ['Price chart', 'Recent trades', 'Place order', 'Your orders']) {
      expect(screen.getByRole('region', { name })).toBeVisible();
    }
    expect(screen.queryByRole('tablist', { name: 'Trade panels' })).not.toBeInTheDocument();

    const orders = screen.getByRole('region', { name: 'Your orders' });
    await user.click(within(orders).getByRole('tab', { name: 'Balances' }));
    const balances = await within(orders).findByRole('table', { name: 'Balances' });
    const rows = within(balances).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    // The market's assets first, even at zero, each to its precision; then what else the trader holds; no empty assets.
    expect(rows).toEqual([
      ['BTC', '0.00000000', '0.00000000', '0.00000000'],
      ['USD', '10,000.00', '6,412.80', '16,412.80'],
      ['ETH', '1.50000000', '0.00000000', '1.50000000'],
    ]);
  });

  it('shows one panel at a time on a narrow screen, and a price picked in the book opens the ticket with it', async () => {
    narrowWindow();
    const user = userEvent.setup({ delay: null });
    renderApp('/trade/BTC-USD', store);
    const tabs = await screen.findByRole('tablist', { name: 'Trade panels' });
    expect(within(tabs).getAllByRole('tab').map((t) => t.textContent)).toEqual(['Chart', 'Book', 'Trades', 'Ticket', 'Orders']);
    expect(within(tabs).getByRole('tab', { name: 'Chart' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('region', { name: 'Price chart' })).toBeVisible();
    // A panel is mounted when first shown, then kept (hidden) so the ticket keeps what was typed.
    expect(screen.queryByRole('region', { name: 'Order book', hidden: true })).not.toBeInTheDocument();

    await user.click(within(tabs).getByRole('tab', { name: 'Ticket' }));
    const ticket = screen.getByRole('region', { name: 'Place order' });
    await user.type(within(ticket).getByRole('textbox', { name: 'Amount' }), '0.05');

    await user.click(within(tabs).getByRole('tab', { name: 'Book' }));
    const book = screen.getByRole('region', { name: 'Order book' });
    expect(screen.getByRole('tabpanel', { name: 'Book' })).toContainElement(book);
    await user.click(await within(book).findByRole('button', { name: /^Ask 65,010 USD/ }));

    await waitFor(() => expect(within(tabs).getByRole('tab', { name: 'Ticket' })).toHaveAttribute('aria-selected', 'true'));
    expect(within(ticket).getByRole('textbox', { name: 'Price' })).toHaveValue('65010');
    expect(within(ticket).getByRole('textbox', { name: 'Amount' })).toHaveValue('0.05');
    expect(screen.queryByRole('region', { name: 'Order book' })).not.toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Order book', hidden: true })).not.toBeVisible();
  });
});
