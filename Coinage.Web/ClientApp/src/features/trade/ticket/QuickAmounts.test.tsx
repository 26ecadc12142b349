import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../../api/client';
import { type AppStore, makeStore } from '../../../app/store';
import { ToastProvider } from '../../../notifications/Toasts';
import { fakeHubs } from '../../../test/fakeHub';
import { btcBook, btcUsd } from '../../../test/marketFixtures';
import { renderWithStore } from '../../../test/renderWithStore';
import { makeAccessToken, tokenResponse } from '../../../test/tokens';
import { OrderForm } from '../OrderForm';

// The ticket as the trade page mounts it, with the book on screen: bids 64,999 × 0.5 and 64,990 × 1.25,
// asks 65,001 × 0.2 and 65,010 × 2. BTC-USD: tick 1, lot 0.01, minimum 10 USD, maker 10 bps, taker 20 bps.
const balances = [
  { asset: 'USD', available: '1000', held: '0', total: '1000' },
  { asset: 'BTC', available: '0.5', held: '0', total: '0.5' },
];

describe('order ticket: quick amounts, total and amount, fee estimate, keyboard', () => {
  let http: MockAdapter;
  let store: AppStore;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onGet('/api/v1/wallet/balances').reply(200, balances);
    store = makeStore(undefined, { hubConnectionFactory: fakeHubs().factory });
    store.session.accept(tokenResponse(makeAccessToken()));
  });

  afterEach(() => {
    store.session.cancelSchedule();
    http.restore();
  });

  async function renderTicket() {
    renderWithStore(
      <MemoryRouter>
        <ToastProvider>
          <OrderForm market={btcUsd} picked={null} bestAsk={btcBook.asks[0]![0]} book={{ bids: btcBook.bids, asks: btcBook.asks }} />
        </ToastProvider>
      </MemoryRouter>,
      { store },
    );
    await screen.findByText('Available: 1,000.00 USD');
    return userEvent.setup({ delay: null });
  }

  const ticket = () => within(screen.getByRole('region', { name: 'Place order' }));
  const field = (name: string) => ticket().getByRole('textbox', { name });
  const quick = (percent: number, asset: string) => ticket().getByRole('button', { name: `${percent}% of available ${asset}` });

  it('fills a share of the quote balance at the limit price in whole lots, fee held, and shows the total', async () => {
    const user = await renderTicket();
    // No price yet: nothing to divide by.
    expect(quick(25, 'USD')).toBeDisabled();
    expect(ticket().getByTestId('quick-amounts-reason')).toHaveTextContent('Enter a price first.');

    await user.type(field('Price'), '100');
    await user.click(quick(50, 'USD'));
    expect(field('Amount')).toHaveValue('4.99');
    expect(field('Total')).toHaveValue('499');
    await user.click(quick(100, 'USD'));
    expect(field('Amount')).toHaveValue('9.98');
    expect(field('Total')).toHaveValue('998');
    // All of it: 998 plus the fee at the dearer rate, 2.00.
    expect(ticket().getByTestId('order-hold')).toHaveTextContent('Holds 1,000.00 USD (fee included)');
    expect(ticket().queryByText(/Insufficient funds/)).not.toBeInTheDocument();
  });

  it('sells a share of the base balance rounded down to the lot, and disables what is under the minimum', async () => {
    const user = await renderTicket();
    await user.click(ticket().getByRole('button', { name: 'Sell' }));
    await user.click(quick(75, 'BTC'));
    expect(field('Amount')).toHaveValue('0.37');
    await user.type(field('Price'), '30');
    // 0.12 BTC × 30 USD = 3.60 USD: under the 10 USD minimum order value, so 25 % is not offered.
    expect(quick(25, 'BTC')).toBeDisabled();
    expect(quick(100, 'BTC')).toBeEnabled();
  });

  it('sizes a market buy by what the share buys at the best ask, and says what it gets and pays', async () => {
    const user = await renderTicket();
    await user.click(ticket().getByRole('button', { name: 'Market' }));
    await user.click(quick(100, 'USD'));
    // 1,000 USD buys one lot at 65,001 once its fee is held.
    expect(field('Total')).toHaveValue('650.01');
    const fee = ticket().getByTestId('order-fee');
    expect(fee).toHaveTextContent('Buys ≈ 0.01 BTC at an average of 65,001 USD');
    expect(fee).toHaveTextContent('Fee ≈ 1.31 USD (taker 0.2%)');
  });

  it('computes the amount from the total, rounded down to the lot, and the total from the amount', async () => {
    const user = await renderTicket();
    await user.type(field('Price'), '65000');
    await user.type(field('Total'), '1000');
    // 1,000 / 65,000 = 0.01538…: one lot, never more than the total says.
    expect(field('Amount')).toHaveValue('0.01');
    await user.clear(field('Amount'));
    await user.type(field('Amount'), '0.02');
    expect(field('Total')).toHaveValue('1300');
    // The price moves the derived side along.
    await user.clear(field('Price'));
    await user.type(field('Price'), '64000');
    expect(field('Total')).toHaveValue('1280');
  });

  it('estimates the fee at the maker rate when the order would rest and at the taker rate when it crosses', async () => {
    const user = await renderTicket();
    await user.type(field('Price'), '64000');
    await user.type(field('Amount'), '0.1');
    expect(ticket().getByTestId('order-fee')).toHaveTextContent('Fee ≈ 6.40 USD (maker 0.1%, if it rests)');

    await user.clear(field('Price'));
    await user.type(field('Price'), '65010');
    // 0.1 × 65,001 = 6,500.10 at 20 bps = 13.0002 → 13.01.
    expect(ticket().getByTestId('order-fee')).toHaveTextContent('Fee ≈ 13.01 USD (taker 0.2%)');

    await user.click(ticket().getByRole('checkbox', { name: 'Post only' }));
    expect(ticket().getByText('Post only: this price would take liquidity now, so the order would be rejected.')).toBeInTheDocument();
  });

  it('is used from the keyboard: Enter in a field submits, Enter confirms', async () => {
    http.onPost('/api/v1/orders').reply(201, { id: '42', status: 'pending' });
    const user = await renderTicket();
    await user.click(field('Price'));
    await user.keyboard('64000');
    await user.tab();
    expect(field('Amount')).toHaveFocus();
    await user.keyboard('0.01{Enter}');
    const dialog = await screen.findByRole('dialog', { name: 'Confirm order' });
    await waitFor(() => expect(within(dialog).getByRole('button', { name: 'Place order' })).toHaveFocus());
    await user.keyboard('{Enter}');
    await waitFor(() => expect(http.history['post']).toHaveLength(1));
    expect(JSON.parse(http.history['post']![0]!.data as string)).toMatchObject({ side: 'buy', type: 'limit', price: '64000', quantity: '0.01' });
  });
});
