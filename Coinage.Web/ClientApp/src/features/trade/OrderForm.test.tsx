import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { type AppStore, makeStore } from '../../app/store';
import { fakeHubs } from '../../test/fakeHub';
import { btcUsd } from '../../test/marketFixtures';
import { renderWithStore } from '../../test/renderWithStore';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { OrderForm } from './OrderForm';
import { ToastProvider } from '../../notifications/Toasts';

const balances = [
  { asset: 'USD', available: '1000', held: '0', total: '1000' },
  { asset: 'BTC', available: '0.5', held: '0', total: '0.5' },
];

function field(name: string) {
  return within(screen.getByRole('region', { name: 'Place order' })).getByRole('textbox', { name: name });
}

describe('order form', () => {
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

  function renderForm() {
    return renderWithStore(
      <MemoryRouter>
        <ToastProvider>
          <OrderForm market={btcUsd} picked={null} />
        </ToastProvider>
      </MemoryRouter>,
      { store },
    );
  }

  it('validates on the market grid, minimums and balance as the user types', async () => {
    const user = userEvent.setup({ delay: null });
    renderForm();
    await screen.findByText('Available: 1,000.00 USD');

    await user.type(field('Price'), '100.5');
    expect(await screen.findByText('The price must be a multiple of 1 USD.')).toBeInTheDocument();
    await user.clear(field('Price'));
    await user.type(field('Price'), '100');

    await user.type(field('Amount'), '0.015');
    expect(screen.getByText('The amount must be a multiple of 0.01 BTC.')).toBeInTheDocument();
    await user.clear(field('Amount'));
    await user.type(field('Amount'), '0.05');
    expect(screen.getByText('The minimum order value is 10 USD.')).toBeInTheDocument();
    await user.clear(field('Amount'));
    await user.type(field('Amount'), '20');
    expect(screen.getByText('Insufficient funds: needs 2,004.00 USD (fee included), 1,000.00 available.')).toBeInTheDocument();
    // The total follows the amount.
    expect(field('Total')).toHaveValue('2000');

    await user.click(screen.getByRole('button', { name: 'Buy BTC' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(http.history['post'] ?? []).toHaveLength(0);
  });

  it('confirms exactly what will be held, fee included, then places the order with a client order id', async () => {
    const user = userEvent.setup({ delay: null });
    http.onPost('/api/v1/orders').reply(201, { id: '42', status: 'pending' });
    renderForm();
    await screen.findByText('Available: 1,000.00 USD');

    await user.type(field('Price'), '100');
    await user.type(field('Total'), '250');
    expect(field('Amount')).toHaveValue('2.50');
    await user.click(screen.getByRole('button', { name: 'Buy BTC' }));

    const dialog = await screen.findByRole('dialog', { name: 'Confirm order' });
    expect(within(dialog).getByText('Buy 2.50 BTC at 100 USD')).toBeInTheDocument();
    expect(within(dialog).getByText('250.00 USD')).toBeInTheDocument();
    expect(within(dialog).getByText('0.50 USD')).toBeInTheDocument();
    expect(within(dialog).getByTestId('confirm-hold')).toHaveTextContent('250.50 USD');
    await user.click(within(dialog).getByRole('button', { name: 'Place order' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const body = JSON.parse(http.history['post']![0]!.data as string) as Record<string, unknown>;
    expect(body).toMatchObject({ market: 'BTC-USD', side: 'buy', type: 'limit', timeInForce: 'GTC', price: '100', quantity: '2.5', postOnly: false });
    expect(body['clientOrderId']).toMatch(/^[0-9a-f]{32}$/);
    expect(await screen.findByText('Order placed: Buy 2.50 BTC at 100 USD')).toBeInTheDocument();
    // Ready for the next order at the same price.
    expect(field('Price')).toHaveValue('100');
    expect(field('Amount')).toHaveValue('');
  });

  it('shows the API refusal on its field, keeps what was typed, and retries a lost answer with the same client order id', async () => {
    const user = userEvent.setup({ delay: null });
    http
      .onPost('/api/v1/orders')
      .networkErrorOnce()
      .onPost('/api/v1/orders')
      .replyOnce(422, { title: 'The request cannot be carried out.', detail: 'The order needs 200.40 USD (fees included); 150 is available.', code: 'insufficient_funds' });
    renderForm();
    await screen.findByText('Available: 1,000.00 USD');
    await user.click(screen.getByRole('button', { name: 'Sell' }));
    await user.click(screen.getByRole('button', { name: 'Buy' }));
    await user.type(field('Price'), '100');
    await user.type(field('Amount'), '2');

    await user.click(screen.getByRole('button', { name: 'Buy BTC' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Place order' }));
    expect(await screen.findByText('Network error')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(field('Amount')).toHaveValue('2');

    await user.click(screen.getByRole('button', { name: 'Buy BTC' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await within(screen.getByRole('region', { name: 'Place order' })).findByText('The order needs 200.40 USD (fees included); 150 is available.')).toBeInTheDocument();
    expect(field('Amount')).toHaveAttribute('aria-invalid', 'true');
    expect(field('Price')).toHaveValue('100');
    expect(field('Amount')).toHaveValue('2');
    expect(await screen.findByText(/^Order rejected:/)).toBeInTheDocument();

    const ids = http.history['post']!.map((r) => (JSON.parse(r.data as string) as { clientOrderId: string }).clientOrderId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it('sizes a market buy by the quote to spend only, with IOC as its only time in force', async () => {
    const user = userEvent.setup({ delay: null });
    renderForm();
    await user.click(screen.getByRole('button', { name: 'Market' }));
    expect(screen.queryByRole('textbox', { name: 'Price' })).not.toBeInTheDocument();
    expect(field('Amount')).toBeDisabled();
    expect(screen.getByRole('checkbox', { name: 'Post only' })).toBeDisabled();
    await user.click(screen.getByRole('combobox', { name: 'Time in force' }));
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['IOC — fill now, cancel rest']);
  });
});
