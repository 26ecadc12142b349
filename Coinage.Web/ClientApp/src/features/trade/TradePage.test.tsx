import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiClient } from '../../api/client';
import { type AppStore, makeStore } from '../../app/store';
import { fakeHubs } from '../../test/fakeHub';
import { btcBook, btcBuyFill, btcUsd, ethUsd, ticker } from '../../test/marketFixtures';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import type { Order } from './tradingApi';

// The chart draws on a canvas, which jsdom has not; candles.test.ts covers what feeds it.
vi.mock('./PriceChart', () => ({ PriceChart: () => <section aria-label="Price chart" /> }));

const openOrder: Order = {
  id: '7',
  clientOrderId: null,
  market: 'BTC-USD',
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  postOnly: false,
  status: 'open',
  price: '64000',
  quantity: '0.1',
  quoteAmount: null,
  filledQuantity: '0',
  filledQuote: '0',
  averagePrice: null,
  fee: '0',
  holdAsset: 'USD',
  remainingHold: '6412.8',
  createdAt: '2026-11-24T09:00:00Z',
  updatedAt: '2026-11-24T09:00:00Z',
  closeReason: null,
};

describe('trade page', () => {
  let http: MockAdapter;
  let store: AppStore;
  let hub: ReturnType<typeof fakeHubs>;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/markets').reply(200, [btcUsd, ethUsd]);
    http.onGet('/api/v1/markets/tickers').reply(200, [ticker('BTC-USD', '65000', '2.00')]);
    http.onGet('/api/v1/markets/BTC-USD/trades').reply(200, [{ id: '1', price: '65000', quantity: '0.03', side: 'buy', at: '2026-11-24T09:00:00Z' }]);
    http.onGet('/api/v1/wallet/balances').reply(200, [{ asset: 'USD', available: '10000', held: '6412.8', total: '16412.8' }]);
    http.onGet('/api/v1/orders/open').reply(200, { items: [openOrder], nextCursor: null });
    http.onDelete('/api/v1/orders/7').reply(202, { ...openOrder });
    hub = fakeHubs([btcBook]);
    store = makeStore(undefined, { hubConnectionFactory: hub.factory });
  });

  function mainNav() {
    return within(screen.getAllByRole('navigation', { name: 'Main' })[0]!);
  }

  afterEach(() => {
    store.session.cancelSchedule();
    store.realtime.close();
    http.restore();
  });

  it('shows the live book and tape, fills the price from a clicked level, and resyncs on a sequence gap', async () => {
    const user = userEvent.setup({ delay: null });
    renderApp('/trade/BTC-USD', store);

    const book = await screen.findByRole('region', { name: 'Order book' });
    expect(await within(book).findByText('64,999')).toBeInTheDocument();
    expect(within(book).getByText('Spread 2 (0.0031%)')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Price chart' })).toBeInTheDocument();
    const tape = screen.getByRole('region', { name: 'Recent trades' });
    expect(await within(tape).findByText('0.03')).toBeInTheDocument();

    act(() => hub.current().emit('bookUpdate', { market: 'BTC-USD', previousSequence: '10', sequence: '11', bids: [['65000', '0.7']], asks: [] }));
    expect(await within(book).findByRole('button', { name: 'Bid 65,000 USD, 0.70 BTC, total 0.70 BTC: use this price' })).toBeInTheDocument();
    expect(within(book).getByText('Spread 1 (0.0015%)')).toBeInTheDocument();

    act(() => hub.current().emit('trades', { market: 'BTC-USD', trades: [{ id: '2', price: '65001', quantity: '0.42', side: 'sell', at: '2026-11-24T09:01:00Z' }] }));
    expect(await within(tape).findByText('0.42')).toBeInTheDocument();

    await user.click(within(book).getByRole('button', { name: /^Bid 64,990 USD/ }));
    const form = screen.getByRole('region', { name: 'Place order' });
    expect(within(form).getByRole('textbox', { name: 'Price' })).toHaveValue('64990');

    // Sequence 13 does not follow 11: the page asks the hub for a fresh snapshot.
    const before = hub.current().subscriptions().length;
    act(() => hub.current().emit('bookUpdate', { market: 'BTC-USD', previousSequence: '12', sequence: '13', bids: [], asks: [] }));
    await waitFor(() => expect(hub.current().subscriptions().length).toBe(before + 1));
    // The fresh snapshot (sequence 10 again, in this fake) replaces the book.
    await waitFor(() => expect(within(book).queryByRole('button', { name: /^Bid 65,000 USD/ })).not.toBeInTheDocument());
    expect(within(book).getByRole('button', { name: /^Bid 64,999 USD/ })).toBeInTheDocument();
  });

  it('lists open orders with cancel, and toasts fills from the private events', async () => {
    const user = userEvent.setup({ delay: null });
    renderApp('/trade/BTC-USD', store);

    const orders = await screen.findByRole('table', { name: 'Open orders' });
    expect(within(orders).getByText('64,000')).toBeInTheDocument();
    // The open order rests at 64,000: once that level is in the book, the book marks it as the trader's.
    const book = screen.getByRole('region', { name: 'Order book' });
    act(() => hub.current().emit('bookUpdate', { market: 'BTC-USD', previousSequence: '10', sequence: '11', bids: [['64000', '0.3']], asks: [] }));
    expect(await within(book).findByRole('button', { name: 'Bid 64,000 USD, 0.30 BTC, total 2.05 BTC, yours 0.10 BTC: use this price' })).toBeInTheDocument();
    expect(within(book).getByText('● 0.10')).toBeInTheDocument();
    // The book asks for the API's largest page of open orders, not the Open orders tab's first page.
    expect(http.history['get']!.some((r) => r.url === '/api/v1/orders/open' && r.params?.limit === 200)).toBe(true);
    await user.click(within(orders).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(http.history['delete']!.map((r) => r.url)).toEqual(['/api/v1/orders/7']));
    expect(screen.getByRole('button', { name: 'Cancel all' })).toBeEnabled();

    act(() => hub.current().emit('fill', btcBuyFill));
    expect(await screen.findByText('Buy order filled: 0.10 BTC at 64,000 USD')).toBeInTheDocument();
  });

  it('toasts an order the exchange cancelled or rejected with its reason, not the trader\'s own cancel, and lists reasons in the order history', async () => {
    const user = userEvent.setup({ delay: null });
    http.onGet('/api/v1/orders').reply(200, { items: [{ ...openOrder, id: '6', status: 'cancelled', timeInForce: 'IOC', closeReason: 'immediate_or_cancel' }], nextCursor: null });
    renderApp('/trade/BTC-USD', store);
    await screen.findByRole('table', { name: 'Open orders' });
    const update = { id: '8', market: 'BTC-USD', side: 'buy', type: 'market', price: null, quantity: null, filledQuantity: '0', filledQuote: '0', averagePrice: null, updatedAt: '2026-11-24T09:03:00Z' };

    act(() => hub.current().emit('orderUpdate', { ...update, status: 'cancelled', closeReason: 'below_one_lot' }));
    expect(await screen.findByText('Your buy order in BTC-USD was cancelled with nothing filled: the amount could not buy one lot at the best price')).toBeInTheDocument();
    act(() => hub.current().emit('orderUpdate', { ...update, id: '9', type: 'limit', price: '65000', quantity: '0.5', filledQuantity: '0.2', status: 'cancelled', closeReason: 'immediate_or_cancel' }));
    expect(await screen.findByText('Your buy order in BTC-USD was cancelled after filling 0.20 BTC: immediate-or-cancel: what could not fill at once was cancelled')).toBeInTheDocument();
    act(() => hub.current().emit('orderUpdate', { ...update, id: '10', type: 'limit', status: 'rejected', closeReason: 'post_only_would_take' }));
    expect(await screen.findByText('Your buy order in BTC-USD was rejected: post-only: it would have traded at once instead of resting on the book')).toBeInTheDocument();
    act(() => hub.current().emit('orderUpdate', { ...update, id: '11', type: 'limit', status: 'cancelled', closeReason: 'user' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.queryByText(/order in BTC-USD was cancelled: cancelled by you/)).not.toBeInTheDocument();
    expect(screen.getAllByText(/^Your buy order in BTC-USD was/)).toHaveLength(3);

    // An amend accepted, then refused by the exchange: told once, though every later update of the order carries it.
    const amended = { ...update, id: '12', type: 'limit', price: '64000', quantity: '0.5', status: 'open', closeReason: null };
    act(() => hub.current().emit('orderUpdate', { ...amended, lastAmendRejection: 'amend_would_cross' }));
    const refused = 'Your amend of the buy order in BTC-USD was refused: the new price would have traded at once against the book, and an amend never takes liquidity. The order keeps its price and size.';
    expect(await screen.findByText(refused)).toBeInTheDocument();
    act(() => hub.current().emit('orderUpdate', { ...amended, status: 'partially_filled', filledQuantity: '0.1', lastAmendRejection: 'amend_would_cross' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.getAllByText(refused)).toHaveLength(1);

    await user.click(screen.getByRole('tab', { name: 'Order history' }));
    const history = await screen.findByRole('table', { name: 'Order history' });
    expect(within(history).getByText('Cancelled')).toBeInTheDocument();
    expect(within(history).getByText('immediate-or-cancel: what could not fill at once was cancelled')).toBeInTheDocument();
  });

  it('says so when the market does not exist, and the Trade link does not keep it', async () => {
    const user = userEvent.setup({ delay: null });
    renderApp('/trade/DOGE-USD', store);
    expect(await screen.findByText('There is no market DOGE-USD.')).toBeInTheDocument();

    await user.click(mainNav().getByRole('link', { name: 'Markets' }));
    expect(await screen.findByRole('table', { name: 'Markets' })).toBeInTheDocument();
    expect(mainNav().getByRole('link', { name: 'Trade' })).toHaveAttribute('href', '/trade/BTC-USD');
  });

  it('keeps the Trade link on the market last traded, current on every market', async () => {
    const user = userEvent.setup({ delay: null });
    http.onGet('/api/v1/markets/ETH-USD/trades').reply(200, []);
    renderApp('/trade/ETH-USD', store);
    expect(await screen.findByRole('region', { name: 'Order book' })).toBeInTheDocument();
    const trade = () => mainNav().getByRole('link', { name: 'Trade' });
    expect(trade()).toHaveAttribute('href', '/trade/ETH-USD');
    expect(trade()).toHaveAttribute('aria-current', 'page');
    expect(mainNav().getByRole('link', { name: 'Markets' })).not.toHaveAttribute('aria-current');

    await user.click(mainNav().getByRole('link', { name: 'Markets' }));
    expect(await screen.findByRole('table', { name: 'Markets' })).toBeInTheDocument();
    expect(mainNav().getByRole('link', { name: 'Markets' })).toHaveAttribute('aria-current', 'page');
    expect(trade()).not.toHaveAttribute('aria-current');
    expect(trade()).toHaveAttribute('href', '/trade/ETH-USD');

    await user.click(trade());
    expect(await screen.findByRole('region', { name: 'Order book' })).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Market' })).toHaveTextContent('ETH-USD');
  });
});
