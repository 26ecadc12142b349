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

  function renderForm(bestAsk: string | null = null) {
    return renderWithStore(
      <MemoryRouter>
        <ToastProvider>
          <OrderForm market={btcUsd} picked={null} bestAsk={bestAsk} />
        </ToastProvider>
      </MemoryRouter>,
      { store },
    );
  }

  function timeInForce() {
    return within(screen.getByRole('region', { name: 'Place order' })).getByRole('combobox', { name: 'Time in force' });
  }

  async function confirmAndSend(user: ReturnType<typeof userEvent.setup>, button: string) {
    await user.click(screen.getByRole('button', { name: button }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm order' });
    const shown = { terms: within(dialog).getByTestId('confirm-terms').textContent, tif: within(dialog).getByTestId('confirm-tif').textContent };
    await user.click(within(dialog).getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const sent = JSON.parse(http.history['post']!.at(-1)!.data as string) as Record<string, unknown>;
    return { shown, sent };
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

  it('sizes a market buy by the quote to spend only, IOC implied and no post-only', async () => {
    const user = userEvent.setup({ delay: null });
    renderForm();
    await user.click(screen.getByRole('button', { name: 'Market' }));
    expect(screen.queryByRole('textbox', { name: 'Price' })).not.toBeInTheDocument();
    expect(field('Amount')).toBeDisabled();
    // A market order never rests: post-only is not offered, and a buy's only time in force is said, not chosen.
    expect(screen.queryByRole('checkbox', { name: 'Post only' })).not.toBeInTheDocument();
    expect(screen.queryByRole('combobox', { name: 'Time in force' })).not.toBeInTheDocument();
    expect(screen.getByTestId('order-tif-implied')).toHaveTextContent('IOC — Immediate or cancel: fills what it can at once; the rest is cancelled.');
    // A market sell may also be fill-or-kill.
    await user.click(screen.getByRole('button', { name: 'Sell' }));
    await user.click(timeInForce());
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['IOC — fill now, cancel rest', 'FOK — all now or nothing']);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('checkbox', { name: 'Post only' })).not.toBeInTheDocument();
  });

  it('never carries a time in force from one order type to the other: a limit order after a market order is GTC again', async () => {
    const user = userEvent.setup({ delay: null });
    http.onPost('/api/v1/orders').reply(201, { id: '42', status: 'pending' });
    renderForm();
    await screen.findByText('Available: 1,000.00 USD');

    // A limit IOC chosen on purpose, then a market order...
    await user.click(timeInForce());
    await user.click(screen.getByRole('option', { name: 'IOC — fill now, cancel rest' }));
    await user.click(screen.getByRole('button', { name: 'Market' }));
    expect(screen.getByTestId('order-tif-implied')).toHaveTextContent(/^IOC/);
    // ...and back to Limit: the ticket starts from GTC, not from the market order's IOC.
    await user.click(screen.getByRole('button', { name: 'Limit' }));
    expect(timeInForce()).toHaveTextContent('GTC — until cancelled');

    await user.type(field('Price'), '100');
    await user.type(field('Amount'), '1');
    const { shown, sent } = await confirmAndSend(user, 'Buy BTC');
    expect(shown.terms).toBe('Limit order, GTC');
    expect(shown.tif).toBe('Good till cancelled: what does not fill at once rests on the book until it fills or you cancel it.');
    expect(sent).toMatchObject({ type: 'limit', timeInForce: 'GTC', price: '100', quantity: '1', postOnly: false });

    // Post-only belongs to the limit order it was ticked for, too.
    await user.click(screen.getByRole('checkbox', { name: 'Post only' }));
    await user.click(screen.getByRole('button', { name: 'Market' }));
    await user.click(screen.getByRole('button', { name: 'Limit' }));
    expect(screen.getByRole('checkbox', { name: 'Post only' })).not.toBeChecked();
  });

  it('sends exactly what the trader confirmed: type, side, time in force and size', async () => {
    const user = userEvent.setup({ delay: null });
    http.onPost('/api/v1/orders').reply(201, { id: '42', status: 'pending' });
    renderForm('65000');
    await screen.findByText('Available: 1,000.00 USD');

    await user.type(field('Price'), '100');
    await user.type(field('Amount'), '2');
    await user.click(timeInForce());
    await user.click(screen.getByRole('option', { name: 'FOK — all now or nothing' }));
    let { shown, sent } = await confirmAndSend(user, 'Buy BTC');
    expect(shown.terms).toBe('Limit order, FOK');
    expect(shown.tif).toBe('Fill or kill: fills completely at once, or is cancelled with nothing filled.');
    expect(sent).toMatchObject({ side: 'buy', type: 'limit', timeInForce: 'FOK', price: '100', quantity: '2' });

    await user.click(screen.getByRole('button', { name: 'Sell' }));
    await user.click(screen.getByRole('button', { name: 'Market' }));
    await user.type(field('Amount'), '0.1');
    ({ shown, sent } = await confirmAndSend(user, 'Sell BTC'));
    expect(shown.terms).toBe('Market order, IOC');
    expect(shown.tif).toBe('Immediate or cancel: fills what it can at once; the rest is cancelled.');
    expect(sent).toMatchObject({ side: 'sell', type: 'market', timeInForce: 'IOC', quantity: '0.1' });
    expect(sent).not.toHaveProperty('price');
    expect(await screen.findByText('Order placed: Sell 0.10 BTC at market')).toBeInTheDocument();
  });

  it('refuses in the form a market buy that cannot pay for one lot at the best ask, saying why', async () => {
    const user = userEvent.setup({ delay: null });
    renderForm('65000');
    await screen.findByText('Available: 1,000.00 USD');
    await user.click(screen.getByRole('button', { name: 'Market' }));
    await user.type(field('Total'), '500');

    const reason = 'Too small to buy anything: one lot (0.01 BTC) costs 650.00 USD at the best ask of 65,000 USD.';
    expect(await screen.findByText(reason)).toBeInTheDocument();
    expect(field('Total')).toHaveAttribute('aria-invalid', 'true');
    await user.click(screen.getByRole('button', { name: 'Buy BTC' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(http.history['post'] ?? []).toHaveLength(0);

    // One lot's worth goes through to the confirmation.
    await user.clear(field('Total'));
    await user.type(field('Total'), '650');
    expect(screen.queryByText(reason)).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Buy BTC' }));
    expect(await screen.findByRole('dialog', { name: 'Confirm order' })).toBeInTheDocument();
  });

  it('shows the API\'s below_one_lot refusal on the total when the book moved after the form checked it', async () => {
    const user = userEvent.setup({ delay: null });
    const detail = '500 USD does not buy one lot: the smallest amount, 0.01 BTC, costs 660 USD at the best ask of 66000 USD.';
    http.onPost('/api/v1/orders').reply(422, { title: 'The request cannot be carried out.', detail, code: 'below_one_lot', errors: { quoteAmount: [detail] } });
    renderForm('49000');
    await screen.findByText('Available: 1,000.00 USD');
    await user.click(screen.getByRole('button', { name: 'Market' }));
    await user.type(field('Total'), '500');
    await user.click(screen.getByRole('button', { name: 'Buy BTC' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await within(screen.getByRole('region', { name: 'Place order' })).findByText(detail)).toBeInTheDocument();
    expect(field('Total')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByText(/^Order placed/)).not.toBeInTheDocument();
  });
});
