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
import type { Market } from '../tradingApi';

const balances = [
  { asset: 'USD', available: '1000', held: '0', total: '1000' },
  { asset: 'BTC', available: '0.5', held: '0', total: '0.5' },
];

const ticket = () => within(screen.getByRole('region', { name: 'Place order' }));
const field = (name: string | RegExp) => ticket().getByRole('textbox', { name });
const body = (method: 'post' | 'patch', index = -1) => JSON.parse(http.history[method]!.at(index)!.data as string) as Record<string, unknown>;

let http: MockAdapter;

describe('the ticket\'s stop, take-profit and OCO orders', () => {
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

  function renderTicket(market: Market = btcUsd, lastPrice: string | null = '65000') {
    return renderWithStore(
      <MemoryRouter>
        <ToastProvider>
          <OrderForm market={market} picked={null} bestAsk="65001" lastPrice={lastPrice} book={btcBook} />
        </ToastProvider>
      </MemoryRouter>,
      { store },
    );
  }

  it('offers Limit, Market, Stop, Take profit and OCO from the keyboard, each with its own fields', async () => {
    const user = userEvent.setup({ delay: null });
    renderTicket();
    await screen.findByText('Available: 1,000.00 USD');
    const types = within(ticket().getByRole('group', { name: 'Order type' }));
    expect(types.getAllByRole('button').map((b) => b.textContent)).toEqual(['Limit', 'Market', 'Stop', 'Take profit', 'OCO']);

    // The type buttons are one tab stop after the side, the arrow keys move inside, the space bar chooses.
    ticket().getByRole('button', { name: 'Buy' }).focus();
    await user.tab();
    expect(types.getByRole('button', { name: 'Limit' })).toHaveFocus();
    await user.keyboard('{ArrowRight}{ArrowRight}');
    expect(types.getByRole('button', { name: 'Stop' })).toHaveFocus();
    await user.keyboard(' ');
    expect(types.getByRole('button', { name: 'Stop' })).toHaveAttribute('aria-pressed', 'true');

    // A stop fires a limit order by default: trigger, limit price, amount and total, GTC/IOC/FOK, no post-only.
    expect(field('Trigger price')).toBeInTheDocument();
    expect(field('Limit price')).toBeInTheDocument();
    expect(ticket().getByRole('radio', { name: 'a limit order' })).toBeChecked();
    expect(ticket().queryByRole('checkbox', { name: 'Post only' })).not.toBeInTheDocument();
    expect(ticket().getByText('Fires when the last price ≥ it. Tick 1 USD, last 65,000 USD')).toBeInTheDocument();

    // A stop that fires a market buy is sized by what it may spend, like a market buy.
    await user.click(ticket().getByRole('radio', { name: 'a market order' }));
    expect(ticket().queryByRole('textbox', { name: 'Limit price' })).not.toBeInTheDocument();
    expect(field('Amount')).toBeDisabled();
    expect(field('Total')).toBeEnabled();
    expect(ticket().getByTestId('order-tif-implied')).toHaveTextContent(/^IOC/);

    // Take profit sells as the price rises to the trigger; OCO adds the stop leg's optional limit price.
    await user.click(types.getByRole('button', { name: 'Take profit' }));
    await user.click(ticket().getByRole('button', { name: 'Sell' }));
    expect(ticket().getByText('Fires when the last price ≥ it. Tick 1 USD, last 65,000 USD')).toBeInTheDocument();
    await user.click(types.getByRole('button', { name: 'OCO' }));
    expect(field('Limit price')).toBeInTheDocument();
    expect(field('Stop trigger price')).toBeInTheDocument();
    expect(field('Stop limit price (optional)')).toBeInTheDocument();
    expect(ticket().getByText('Fires when the last price ≤ it. Tick 1 USD, last 65,000 USD')).toBeInTheDocument();
    expect(ticket().getByTestId('order-tif-implied')).toHaveTextContent(/^GTC/);
  });

  it('refuses a trigger the last price has already reached before anything is sent, and places a stop-limit as confirmed', async () => {
    const user = userEvent.setup({ delay: null });
    http.onPost('/api/v1/orders').reply(201, { id: '42', status: 'pending' });
    renderTicket();
    await screen.findByText('Available: 1,000.00 USD');
    await user.click(ticket().getByRole('button', { name: 'Sell' }));
    await user.click(ticket().getByRole('button', { name: 'Stop' }));

    // A sell stop fires as the price falls to its trigger: at 66,000 with the last trade at 65,000 it would fire at once.
    await user.type(field('Trigger price'), '66000');
    const reached = 'Already reached: the last price is 65,000 USD, so it would fire at once and the exchange refuses it (it triggers when the last price ≤ the trigger).';
    expect(ticket().getByText(reached)).toBeInTheDocument();
    expect(field('Trigger price')).toHaveAttribute('aria-invalid', 'true');
    await user.type(field('Limit price'), '59900');
    await user.type(field('Amount'), '0.1');
    await user.click(ticket().getByRole('button', { name: 'Sell BTC' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();

    await user.clear(field('Trigger price'));
    await user.type(field('Trigger price'), '60000');
    expect(ticket().queryByText(reached)).not.toBeInTheDocument();
    expect(ticket().getByTestId('order-fee')).toHaveTextContent('Fee ≈ 11.98 USD when it fires (taker 0.2%; maker 0.1% on what rests)');
    await user.click(ticket().getByRole('button', { name: 'Sell BTC' }));

    const dialog = await screen.findByRole('dialog', { name: 'Confirm order' });
    expect(within(dialog).getByText('Sell 0.10 BTC at 59,900 USD when the last price ≤ 60,000 USD')).toBeInTheDocument();
    expect(within(dialog).getByTestId('confirm-terms')).toHaveTextContent('Stop limit order, GTC');
    expect(within(dialog).getByTestId('confirm-hold')).toHaveTextContent('0.10000000 BTC');
    await user.click(within(dialog).getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(body('post')).toMatchObject({ market: 'BTC-USD', side: 'sell', type: 'stop_limit', triggerPrice: '60000', price: '59900', quantity: '0.1', timeInForce: 'GTC', postOnly: false });
    expect(body('post')['clientOrderId']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('arms any trigger before the market\'s first trade, and sizes a stop-market buy by quick amount at its trigger', async () => {
    const user = userEvent.setup({ delay: null });
    http.onPost('/api/v1/orders').reply(201, { id: '43', status: 'pending' });
    renderTicket(btcUsd, null);
    await screen.findByText('Available: 1,000.00 USD');
    await user.click(ticket().getByRole('button', { name: 'Stop' }));
    await user.click(ticket().getByRole('radio', { name: 'a market order' }));
    expect(ticket().getByTestId('quick-amounts-reason')).toHaveTextContent('Enter a trigger price first.');

    await user.type(field('Trigger price'), '66000');
    expect(ticket().getByText('Fires when the last price ≥ it. Tick 1 USD')).toBeInTheDocument();
    // 100 % of 1,000 USD at 66,000 with the fee held: one whole lot, 660 USD (661.32 held).
    await user.click(ticket().getByRole('button', { name: '100% of available USD' }));
    expect(field('Total')).toHaveValue('660');
    expect(ticket().getByTestId('order-hold')).toHaveTextContent('Holds 661.32 USD (fee included)');
    await user.click(ticket().getByRole('button', { name: 'Buy BTC' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm order' });
    expect(within(dialog).getByText('Buy BTC for 660.00 USD at market when the last price ≥ 66,000 USD')).toBeInTheDocument();
    expect(within(dialog).getByTestId('confirm-terms')).toHaveTextContent('Stop market order, IOC');
    expect(within(dialog).getByTestId('confirm-hold')).toHaveTextContent('661.32 USD');
    await user.click(within(dialog).getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(http.history['post']).toHaveLength(1));
    expect(body('post')).toMatchObject({ type: 'stop_market', side: 'buy', triggerPrice: '66000', quoteAmount: '660', timeInForce: 'IOC' });
    expect(body('post')).not.toHaveProperty('quantity');
  });

  it('puts the API\'s refusal of a trigger on the trigger field', async () => {
    const user = userEvent.setup({ delay: null });
    const detail = 'triggerPrice must be a positive multiple of the tick size 1 USD.';
    http.onPost('/api/v1/orders').reply(400, { title: 'Bad request', detail, code: 'invalid_trigger_price', errors: { triggerPrice: [detail] } });
    renderTicket();
    await screen.findByText('Available: 1,000.00 USD');
    await user.click(ticket().getByRole('button', { name: 'Take profit' }));
    await user.type(field('Trigger price'), '64000');
    await user.type(field('Limit price'), '64000');
    await user.type(field('Amount'), '0.01');
    await user.click(ticket().getByRole('button', { name: 'Buy BTC' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await ticket().findByText(detail)).toBeInTheDocument();
    expect(field('Trigger price')).toHaveAttribute('aria-invalid', 'true');
    expect(field('Limit price')).toHaveAttribute('aria-invalid', 'false');
    expect(field('Trigger price')).toHaveValue('64000');
  });

  it('confirms an OCO with both orders and the one hold, and sends the pair', async () => {
    const user = userEvent.setup({ delay: null });
    http.onPost('/api/v1/orders/oco').reply(201, { limit: { id: '50' }, stop: { id: '51' } });
    renderTicket();
    await screen.findByText('Available: 1,000.00 USD');
    await user.click(ticket().getByRole('button', { name: 'Sell' }));
    await user.click(ticket().getByRole('button', { name: 'OCO' }));
    await user.type(field('Limit price'), '70000');
    await user.type(field('Stop trigger price'), '60000');
    await user.type(field('Amount'), '0.5');
    expect(ticket().getByTestId('order-hold')).toHaveTextContent('Holds 0.50000000 BTC, once for both orders');
    expect(ticket().getByTestId('order-fee')).toHaveTextContent('Fee ≈ 35.00 USD if the limit order fills (maker 0.1%), ≈ 60.00 USD if the stop fires (taker 0.2%)');
    await user.click(ticket().getByRole('button', { name: 'Sell BTC' }));

    const dialog = await screen.findByRole('dialog', { name: 'Confirm order' });
    expect(within(dialog).getByTestId('confirm-leg-limit')).toHaveTextContent('Limit: Sell 0.50 BTC at 70,000 USD, resting until it fills or you cancel it');
    expect(within(dialog).getByTestId('confirm-leg-stop')).toHaveTextContent('Stop: Sell 0.50 BTC at market when the last price ≤ 60,000 USD');
    expect(within(dialog).getByText('Held now, once for both')).toBeInTheDocument();
    expect(within(dialog).getByTestId('confirm-hold')).toHaveTextContent('0.50000000 BTC');
    await user.click(within(dialog).getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(http.history['post']).toHaveLength(1));
    expect(http.history['post']![0]!.url).toBe('/api/v1/orders/oco');
    const sent = body('post');
    expect(sent).toEqual({ market: 'BTC-USD', side: 'sell', quantity: '0.5', price: '70000', triggerPrice: '60000', clientOrderId: sent['clientOrderId'] });
    expect(await screen.findByText(/^Order placed: OCO: Sell 0\.50 BTC at 70,000 USD/)).toBeInTheDocument();
  });

  it('holds a buy OCO once, at its dearer order, and asks its stop for a limit price', async () => {
    const user = userEvent.setup({ delay: null });
    http.onPost('/api/v1/orders/oco').reply(201, { limit: { id: '52' }, stop: { id: '53' } });
    renderTicket(btcUsd, '650');
    await screen.findByText('Available: 1,000.00 USD');
    await user.click(ticket().getByRole('button', { name: 'OCO' }));
    await user.type(field('Limit price'), '600');
    await user.type(field('Stop trigger price'), '700');
    await user.type(field('Amount'), '1');
    await user.click(ticket().getByRole('button', { name: 'Buy BTC' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(ticket().getByText('Enter the stop leg\'s limit price: a buy stop needs one, so that what it holds is known.')).toBeInTheDocument();

    // The stop buys at up to 710, dearer than the limit at 600: the pair holds 710 + 0.2 % = 711.42 USD.
    await user.type(field('Stop limit price'), '710');
    expect(ticket().getByTestId('order-hold')).toHaveTextContent('Holds 711.42 USD (fee included), once for both orders');
    await user.click(ticket().getByRole('button', { name: 'Buy BTC' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm order' });
    expect(within(dialog).getByTestId('confirm-leg-stop')).toHaveTextContent('Stop: Buy 1.00 BTC at 710 USD when the last price ≥ 700 USD');
    expect(within(dialog).getByText('Value of the dearer order')).toBeInTheDocument();
    expect(within(dialog).getByTestId('confirm-hold')).toHaveTextContent('711.42 USD');
    await user.click(within(dialog).getByRole('button', { name: 'Place order' }));
    await waitFor(() => expect(http.history['post']).toHaveLength(1));
    expect(body('post')).toMatchObject({ side: 'buy', quantity: '1', price: '600', triggerPrice: '700', stopPrice: '710' });
  });

  it('is closed while the market is halted or cancel-only, saying why and since when', async () => {
    const halted: Market = { ...btcUsd, status: 'halted', statusSource: 'circuit_breaker', statusSince: '2026-12-06T10:02:00Z', statusUntil: '2026-12-06T10:07:00Z' };
    const { unmount } = renderTicket(halted);
    await screen.findByText('Available: 1,000.00 USD');
    expect(ticket().getByTestId('market-status')).toHaveTextContent(/^Trading on BTC-USD is halted since .+ by the circuit breaker, until .+\. New orders are refused; you can still cancel yours\.$/);
    expect(ticket().getByRole('button', { name: 'Buy BTC' })).toBeDisabled();
    expect(field('Price')).toBeDisabled();
    expect(ticket().getByRole('button', { name: 'Stop' })).toBeDisabled();
    expect(ticket().queryByRole('group', { name: 'Quick amounts' })).not.toBeInTheDocument();
    unmount();

    renderTicket({ ...btcUsd, status: 'cancel_only', statusSource: 'admin', statusUntil: null });
    await screen.findByText('Available: 1,000.00 USD');
    expect(ticket().getByTestId('market-status')).toHaveTextContent('BTC-USD is cancel-only: you can cancel orders and reduce their size, but not place new ones.');
    expect(ticket().getByRole('button', { name: 'Buy BTC' })).toBeDisabled();
  });
});
