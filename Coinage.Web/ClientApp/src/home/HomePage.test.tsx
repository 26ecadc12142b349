import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../api/client';
import { makeStore } from '../app/store';
import type { Portfolio, PortfolioHistory } from '../features/portfolio/portfolioApi';
import { quoteStorageKey } from '../features/portfolio/quoteChoice';
import type { Order } from '../features/trade/tradingApi';
import type { Candle } from '../realtime/types';
import { fakeHubs } from '../test/fakeHub';
import { btcUsd, ethUsd, ticker } from '../test/marketFixtures';
import { renderApp } from '../test/renderApp';
import { makeAccessToken, tokenResponse } from '../test/tokens';

function candles(...closes: string[]): Candle[] {
  return closes.map((close, i) => ({
    time: `2026-11-24T${String(i).padStart(2, '0')}:00:00Z`,
    open: close,
    high: close,
    low: close,
    close,
    volume: '1',
    quoteVolume: close,
  }));
}

const portfolioUsd: Portfolio = {
  quote: 'USD',
  value: '23974',
  holdings: [
    { asset: 'BTC', amount: '0.6', price: '30000', value: '18000' },
    { asset: 'ETH', amount: '2', price: null, value: null },
    { asset: 'USD', amount: '5974', price: '1', value: '5974' },
  ],
  asOf: '2026-11-24T12:00:00Z',
};

const historyUsd: PortfolioHistory = {
  quote: 'USD',
  points: [
    { date: '2026-11-22', value: '20000', unpriced: [] },
    { date: '2026-11-23', value: '24974', unpriced: [] },
    { date: '2026-11-24', value: '23974', unpriced: [] },
  ],
};

const openOrder: Order = {
  id: '41',
  clientOrderId: null,
  market: 'BTC-USD',
  side: 'sell',
  type: 'limit',
  timeInForce: 'GTC',
  postOnly: false,
  status: 'open',
  price: '70000',
  quantity: '0.25',
  quoteAmount: null,
  filledQuantity: '0.05',
  filledQuote: '3500',
  averagePrice: '70000',
  fee: '0',
  holdAsset: 'BTC',
  remainingHold: '0.2',
  createdAt: '2026-11-24T10:00:00Z',
  updatedAt: '2026-11-24T10:00:00Z',
  closeReason: null,
};

const fill = {
  id: '9',
  orderId: '7',
  market: 'BTC-USD',
  side: 'buy',
  liquidity: 'taker',
  price: '30000',
  quantity: '0.1',
  quoteAmount: '3000',
  fee: '6',
  feeAsset: 'USD',
  createdAt: '2026-11-23T12:00:00Z',
};

describe('home page', () => {
  let http: MockAdapter;

  beforeEach(() => {
    window.localStorage.clear();
    http = new MockAdapter(apiClient);
    http.onGet('/api/v1/markets').reply(200, [btcUsd, ethUsd]);
    http.onGet('/api/v1/markets/tickers').reply(200, [
      { ...ticker('BTC-USD', '65000', '1.25'), quoteVolume24h: '1234567.5' },
      ticker('ETH-USD', null),
    ]);
    http.onGet('/api/v1/markets/BTC-USD/candles').reply(200, candles('64000', '64500', '64200'));
    http.onGet('/api/v1/markets/ETH-USD/candles').reply(200, []);
  });

  afterEach(() => http.restore());

  describe('for a visitor', () => {
    beforeEach(() => {
      http.onPost('/api/v1/auth/refresh').reply(401, {});
    });

    it('lists the markets with last price, 24h change, volume and a sparkline of the last day, live from the hub', async () => {
      const hub = fakeHubs();
      const store = makeStore(undefined, { hubConnectionFactory: hub.factory });
      renderApp('/', store);

      const table = await screen.findByRole('table', { name: 'Markets' });
      const btcRow = within(table).getByRole('link', { name: 'BTC-USD' }).closest('tr')!;
      expect(within(btcRow).getByText('65,000')).toBeInTheDocument();
      expect(within(btcRow).getByText('+1.25%')).toBeInTheDocument();
      expect(within(btcRow).getByText('1,234,567.50 USD')).toBeInTheDocument();
      // Hourly candles of the last day, and the live price as the newest point: rising from 64,000 to 65,000.
      const line = await within(btcRow).findByTestId('sparkline');
      expect(line).toHaveAttribute('data-trend', 'up');
      expect(http.history['get']!.find((r) => r.url === '/api/v1/markets/BTC-USD/candles')!.params).toEqual({ interval: '1h', limit: 24 });
      // A market that never traded has no line to draw.
      const ethRow = within(table).getByRole('link', { name: 'ETH-USD' }).closest('tr')!;
      expect(within(ethRow).queryByTestId('sparkline')).not.toBeInTheDocument();

      await waitFor(() => expect(hub.current().subscriptions().sort()).toEqual(['BTC-USD', 'ETH-USD']));
      act(() => hub.current().emit('ticker', { ...ticker('BTC-USD', '63000', '-3.08'), quoteVolume24h: '2000000' }));
      expect(await within(btcRow).findByText('63,000')).toBeInTheDocument();
      expect(within(btcRow).getByText('-3.08%')).toBeInTheDocument();
      await waitFor(() => expect(within(btcRow).getByTestId('sparkline')).toHaveAttribute('data-trend', 'down'));
      store.realtime.close();
    });

    it('offers to open an account, and leaves the platform status to the status page in the footer', async () => {
      http.onGet('/api/v1/status').reply(200, { service: 'apiservice', database: 'ok', redis: 'ok', lastHeartbeatAt: null });
      const user = userEvent.setup();
      renderApp('/');

      expect(await screen.findByRole('link', { name: 'Create an account' })).toHaveAttribute('href', '/sign-up');
      expect(screen.queryByRole('list', { name: 'Platform status' })).not.toBeInTheDocument();
      expect(http.history['get']!.some((r) => r.url === '/api/v1/status')).toBe(false);

      await user.click(within(screen.getByRole('navigation', { name: 'Footer' })).getByRole('link', { name: 'Platform status' }));
      expect(await screen.findByRole('heading', { name: 'Platform status', level: 1 })).toBeInTheDocument();
      expect(window.location.pathname).toBe('/status');
      expect(await screen.findByRole('list', { name: 'Platform status' })).toBeInTheDocument();
    });
  });

  describe('for a signed-in trader', () => {
    beforeEach(() => {
      http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
      http.onGet('/api/v1/orders/open').reply(200, { items: [openOrder], nextCursor: null });
      http.onGet('/api/v1/fills').reply(200, { items: [fill], nextCursor: null });
      http.onGet('/api/v1/portfolio').reply((config) =>
        (config.params as { quote: string }).quote === 'USD'
          ? [200, portfolioUsd]
          : [200, { quote: 'BTC', value: '0.79913333', holdings: [{ asset: 'BTC', amount: '0.6', price: '1', value: '0.6' }, { asset: 'USD', amount: '5974', price: '0.00003333', value: '0.19913333' }], asOf: portfolioUsd.asOf }],
      );
      http.onGet('/api/v1/portfolio/history').reply((config) => [200, { ...historyUsd, quote: (config.params as { quote: string }).quote }]);
    });

    it('shows the total, the allocation, the value over time, the open orders and the recent fills', async () => {
      renderApp('/');

      expect(await screen.findByRole('heading', { name: 'Portfolio', level: 1 })).toBeInTheDocument();
      await waitFor(() => expect(screen.getByTestId('portfolio-total')).toHaveTextContent('23,974.00 USD'));
      // 18000 of 23974 priced: BTC 75.08 %, USD 24.92 %; ETH has no price and no slice, and the page says so.
      const allocation = screen.getByRole('list', { name: 'Allocation by asset' });
      expect(within(allocation).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['BTC75.08%', 'USD24.92%']);
      expect(screen.getByText(/No market prices ETH in USD yet/)).toBeInTheDocument();

      const history = screen.getByRole('table', { name: 'Portfolio value by day, in USD' });
      expect(within(history).getAllByRole('row')).toHaveLength(4);
      expect(within(history).getByText('24,974.00 USD')).toBeInTheDocument();
      expect(screen.getByTestId('value-chart')).toBeInTheDocument();
      expect(http.history['get']!.find((r) => r.url === '/api/v1/portfolio/history')!.params).toEqual({ quote: 'USD', days: 30 });

      const orders = await screen.findByRole('table', { name: 'Open orders' });
      const orderRow = within(orders).getByRole('link', { name: 'BTC-USD' }).closest('tr')!;
      expect(within(orderRow).getByText('Sell')).toBeInTheDocument();
      expect(within(orderRow).getByText('70,000')).toBeInTheDocument();
      expect(within(orderRow).getByText('0.25')).toBeInTheDocument();
      const fills = await screen.findByRole('table', { name: 'Recent fills' });
      expect(within(fills).getByText('30,000')).toBeInTheDocument();
      expect(within(fills).getByText('6 USD')).toBeInTheDocument();
    });

    it('values the portfolio in the asset the trader picks, and remembers it', async () => {
      const user = userEvent.setup();
      const { unmount } = renderApp('/');
      await waitFor(() => expect(screen.getByTestId('portfolio-total')).toHaveTextContent('23,974.00 USD'));

      await user.click(screen.getByRole('combobox', { name: 'Value in' }));
      await user.click(await screen.findByRole('option', { name: 'BTC' }));

      await waitFor(() => expect(screen.getByTestId('portfolio-total')).toHaveTextContent('0.79913333 BTC'));
      expect(window.localStorage.getItem(quoteStorageKey)).toBe('BTC');
      await waitFor(() => expect(http.history['get']!.filter((r) => r.url === '/api/v1/portfolio/history').at(-1)!.params).toEqual({ quote: 'BTC', days: 30 }));
      unmount();

      // The next visit opens in BTC.
      renderApp('/');
      await waitFor(() => expect(screen.getByTestId('portfolio-total')).toHaveTextContent('0.79913333 BTC'));
    });

    it('falls back to USD when the remembered asset is no longer listed', async () => {
      window.localStorage.setItem(quoteStorageKey, 'DOGE');
      renderApp('/');
      await waitFor(() => expect(screen.getByTestId('portfolio-total')).toHaveTextContent('23,974.00 USD'));
      expect(http.history['get']!.filter((r) => r.url === '/api/v1/portfolio').at(-1)!.params).toEqual({ quote: 'USD' });
    });

    it('asks for another period of the history', async () => {
      const user = userEvent.setup();
      renderApp('/');
      await screen.findByRole('table', { name: 'Portfolio value by day, in USD' });

      await user.click(screen.getByRole('button', { name: '90 days' }));
      await waitFor(() => expect(http.history['get']!.filter((r) => r.url === '/api/v1/portfolio/history').at(-1)!.params).toEqual({ quote: 'USD', days: 90 }));
    });

    it('refetches the portfolio when the hub reports a balance change', async () => {
      const hub = fakeHubs();
      const store = makeStore(undefined, { hubConnectionFactory: hub.factory });
      renderApp('/', store);
      await waitFor(() => expect(screen.getByTestId('portfolio-total')).toHaveTextContent('23,974.00 USD'));
      const before = http.history['get']!.filter((r) => r.url === '/api/v1/portfolio').length;

      http.onGet('/api/v1/portfolio').reply(200, { ...portfolioUsd, value: '25000' });
      act(() => hub.current().emit('balance', { asset: 'USD', available: '7000', held: '0', total: '7000' }));

      await waitFor(() => expect(screen.getByTestId('portfolio-total')).toHaveTextContent('25,000.00 USD'));
      expect(http.history['get']!.filter((r) => r.url === '/api/v1/portfolio').length).toBe(before + 1);
      store.realtime.close();
    });

    it('shows the problem when the portfolio cannot be valued', async () => {
      http.onGet('/api/v1/portfolio').reply(400, { title: 'The request is not valid.', detail: 'quote must be one of the listed assets: BTC, ETH, USD.', status: 400 }, { 'content-type': 'application/problem+json' });
      renderApp('/');
      expect(await screen.findByText(/quote must be one of the listed assets/)).toBeInTheDocument();
    });
  });
});
