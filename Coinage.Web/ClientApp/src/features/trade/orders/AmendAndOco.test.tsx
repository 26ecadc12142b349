import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiClient } from '../../../api/client';
import { type AppStore, makeStore } from '../../../app/store';
import { fakeHubs } from '../../../test/fakeHub';
import { btcBook, btcUsd, ethUsd, ticker } from '../../../test/marketFixtures';
import { renderApp } from '../../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../../test/tokens';
import type { Order } from '../tradingApi';
import { checkAmend } from './amendMath';

// The chart draws on a canvas, which jsdom has not.
vi.mock('../PriceChart', () => ({ PriceChart: () => <section aria-label="Price chart" /> }));

const resting: Order = {
  id: '7',
  clientOrderId: null,
  market: 'BTC-USD',
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  postOnly: false,
  status: 'partially_filled',
  price: '64000',
  quantity: '0.5',
  quoteAmount: null,
  filledQuantity: '0.1',
  filledQuote: '6400',
  averagePrice: '64000',
  fee: '6.4',
  holdAsset: 'USD',
  remainingHold: '25651.2',
  createdAt: '2026-12-06T09:00:00Z',
  updatedAt: '2026-12-06T09:00:00Z',
  closeReason: null,
  triggerPrice: null,
  triggeredAt: null,
  ocoPartnerId: null,
};

/** A sell OCO: its limit leg resting at 70,000, its stop armed at 60,000; an unrelated order listed between them. */
const ocoLimit: Order = { ...resting, id: '20', side: 'sell', status: 'open', price: '70000', quantity: '0.2', filledQuantity: '0', holdAsset: 'BTC', ocoPartnerId: '21' };
const ocoStop: Order = { ...ocoLimit, id: '21', type: 'stop_market', status: 'untriggered', price: null, triggerPrice: '60000', ocoPartnerId: '20' };

const openOrders = () => within(screen.getByRole('table', { name: 'Open orders' }));
const rowOf = (id: string) => document.getElementById(`open-order-${id}`)!;

describe('open orders: amend and OCO pairs', () => {
  let http: MockAdapter;
  let store: AppStore;
  let hub: ReturnType<typeof fakeHubs>;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/markets').reply(200, [btcUsd, ethUsd]);
    http.onGet('/api/v1/markets/tickers').reply(200, [ticker('BTC-USD', '65000', '2.00')]);
    http.onGet('/api/v1/markets/BTC-USD/trades').reply(200, []);
    http.onGet('/api/v1/wallet/balances').reply(200, [{ asset: 'USD', available: '10000', held: '25651.2', total: '35651.2' }]);
    http.onGet('/api/v1/orders/open').reply(200, { items: [ocoLimit, resting, ocoStop], nextCursor: null });
    hub = fakeHubs([btcBook]);
    store = makeStore(undefined, { hubConnectionFactory: hub.factory });
  });

  afterEach(() => {
    store.session.cancelSchedule();
    store.realtime.close();
    http.restore();
  });

  async function openAmend(user: ReturnType<typeof userEvent.setup>) {
    renderApp('/trade/BTC-USD', store);
    await screen.findByRole('table', { name: 'Open orders' });
    await user.click(within(rowOf('7')).getByRole('button', { name: 'Amend' }));
    return within(await screen.findByRole('dialog', { name: 'Amend order' }));
  }

  it('lists the legs of an OCO pair together, each with a chip that takes the focus to the other', async () => {
    const user = userEvent.setup({ delay: null });
    renderApp('/trade/BTC-USD', store);
    await screen.findByRole('table', { name: 'Open orders' });
    const ids = openOrders()
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.id);
    expect(ids).toEqual(['open-order-20', 'open-order-21', 'open-order-7']);
    expect(within(rowOf('21')).getByText('Untriggered')).toBeInTheDocument();
    expect(within(rowOf('21')).getByText('trigger ≤ 60,000')).toBeInTheDocument();
    // Only a resting limit order outside a pair can be amended: not the armed stop, nor the pair's limit leg (its hold
    // is the pair's; the API refuses not_amendable).
    expect(within(rowOf('7')).getByRole('button', { name: 'Amend' })).toBeInTheDocument();
    expect(within(rowOf('20')).queryByRole('button', { name: 'Amend' })).not.toBeInTheDocument();
    expect(within(rowOf('21')).queryByRole('button', { name: 'Amend' })).not.toBeInTheDocument();
    expect(within(rowOf('21')).getByRole('button', { name: 'Cancel' })).toBeInTheDocument();

    await user.click(within(rowOf('20')).getByRole('button', { name: 'One-cancels-the-other with order 21: go to it' }));
    expect(rowOf('21')).toHaveFocus();
    await user.click(within(rowOf('21')).getByRole('button', { name: 'One-cancels-the-other with order 20: go to it' }));
    expect(rowOf('20')).toHaveFocus();
  });

  it('checks an amend on the grid and above what filled, says what happens to its place in the queue, and sends only what changed with Enter', async () => {
    const user = userEvent.setup({ delay: null });
    http.onPatch('/api/v1/orders/7').reply(202, { ...resting, price: '64100' });
    const dialog = await openAmend(user);
    expect(dialog.getByText('Buy 0.50 BTC at 64,000 USD, 0.10 filled')).toBeInTheDocument();
    const price = dialog.getByRole('textbox', { name: 'Price' });
    const amount = dialog.getByRole('textbox', { name: 'Amount' });
    expect(price).toHaveValue('64000');
    expect(amount).toHaveValue('0.5');
    expect(dialog.getByTestId('amend-priority')).toHaveTextContent('Change the price or the amount.');

    await user.clear(amount);
    await user.type(amount, '0.1');
    expect(dialog.getByText('Must be more than the 0.1 BTC already filled: to stop the rest, cancel the order.')).toBeInTheDocument();
    await user.clear(amount);
    await user.type(amount, '0.305');
    expect(dialog.getByText('The amount must be a multiple of 0.01 BTC.')).toBeInTheDocument();
    await user.clear(amount);
    await user.type(amount, '0.3');
    expect(dialog.getByTestId('amend-priority')).toHaveTextContent('A smaller amount at the same price keeps the order’s place in the queue.');
    await user.clear(amount);
    await user.type(amount, '0.5');

    await user.clear(price);
    await user.type(price, '64100.5');
    expect(dialog.getByText('The price must be a multiple of 1 USD.')).toBeInTheDocument();
    await user.keyboard('{Enter}');
    expect(http.history['patch'] ?? []).toHaveLength(0);
    await user.clear(price);
    await user.type(price, '64100{Enter}');
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Amend order' })).not.toBeInTheDocument());
    expect(JSON.parse(http.history['patch']![0]!.data as string)).toEqual({ price: '64100' });
    expect(await screen.findByText('Order amended: 0.50 BTC at 64,100 USD.')).toBeInTheDocument();
    // The list is asked again, so the row shows the order as it now is.
    await waitFor(() => expect(http.history['get']!.filter((r) => r.url === '/api/v1/orders/open').length).toBeGreaterThan(1));
  });

  it('puts the API\'s refusal of an amend on its field', async () => {
    const user = userEvent.setup({ delay: null });
    const detail = 'At 65,001 the order would trade with the best ask: cancel it and place a new one to take liquidity.';
    http.onPatch('/api/v1/orders/7').reply(422, { title: 'The request cannot be carried out.', detail, code: 'amend_would_cross' });
    const dialog = await openAmend(user);
    const price = dialog.getByRole('textbox', { name: 'Price' });
    await user.clear(price);
    await user.type(price, '65001{Enter}');
    expect(await dialog.findByText(detail)).toBeInTheDocument();
    expect(price).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('dialog', { name: 'Amend order' })).toBeInTheDocument();
  });

  it('follows the market\'s status from the hub: the ticket closes, and only a smaller amend is offered', async () => {
    const user = userEvent.setup({ delay: null });
    http.onPatch('/api/v1/orders/7').reply(202, { ...resting, quantity: '0.3' });
    renderApp('/trade/BTC-USD', store);
    const ticket = within(await screen.findByRole('region', { name: 'Place order' }));
    await screen.findByRole('table', { name: 'Open orders' });
    await waitFor(() => expect(hub.current().subscriptions()).toContain('BTC-USD'));
    expect(ticket.getByRole('button', { name: 'Buy BTC' })).toBeEnabled();

    act(() => hub.current().emit('marketStatus', { market: 'BTC-USD', status: 'cancel_only', source: 'admin', until: null, at: '2026-12-06T10:02:00Z' }));
    expect(await ticket.findByTestId('market-status')).toHaveTextContent(/^BTC-USD is cancel-only since .+: you can cancel orders and reduce their size, but not place new ones\.$/);
    expect(ticket.getByRole('button', { name: 'Buy BTC' })).toBeDisabled();
    // Cancels are always taken.
    expect(within(rowOf('7')).getByRole('button', { name: 'Cancel' })).toBeEnabled();

    await user.click(within(rowOf('7')).getByRole('button', { name: 'Amend' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Amend order' }));
    expect(dialog.getByRole('textbox', { name: 'Price' })).toBeDisabled();
    const amount = dialog.getByRole('textbox', { name: 'Amount' });
    await user.clear(amount);
    await user.type(amount, '0.6');
    expect(dialog.getByText('BTC-USD takes no new orders now: only a smaller amount.')).toBeInTheDocument();
    await user.clear(amount);
    await user.type(amount, '0.3{Enter}');
    await waitFor(() => expect(http.history['patch']).toHaveLength(1));
    expect(JSON.parse(http.history['patch']![0]!.data as string)).toEqual({ quantity: '0.3' });
    // Until the dialog has gone (its exit transition too), the page behind it is hidden from the accessibility tree.
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Amend order', hidden: true })).not.toBeInTheDocument());

    // Reopened: the ticket takes orders again.
    act(() => hub.current().emit('marketStatus', { market: 'BTC-USD', status: 'open', source: 'admin', until: null, at: '2026-12-06T10:05:00Z' }));
    await waitFor(() => expect(ticket.queryByTestId('market-status')).not.toBeInTheDocument());
    expect(await ticket.findByRole('button', { name: 'Buy BTC' })).toBeEnabled();
  });
});

describe('amend checks', () => {
  it('keeps the queue place only for a smaller size at the same price', () => {
    expect(checkAmend(resting, { price: '64000', quantity: '0.3' }, btcUsd)).toMatchObject({ keepsPriority: true, request: { id: '7', quantity: '0.3' } });
    expect(checkAmend(resting, { price: '64000', quantity: '0.6' }, btcUsd)).toMatchObject({ keepsPriority: false, request: { id: '7', quantity: '0.6' } });
    expect(checkAmend(resting, { price: '63999', quantity: '0.3' }, btcUsd)).toMatchObject({ keepsPriority: false, request: { id: '7', price: '63999', quantity: '0.3' } });
    expect(checkAmend(resting, { price: '64000', quantity: '0.50' }, btcUsd).request).toBeUndefined();
  });
});
