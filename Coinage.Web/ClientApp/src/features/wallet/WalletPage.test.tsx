import { act, configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { makeStore } from '../../app/store';
import { fakeHubs } from '../../test/fakeHub';
import { btcBuyFill } from '../../test/marketFixtures';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { assets, balances, markets, profile, savedAddress, withdrawal } from './fixtures';

const ledgerLine = (id: number) => ({
  id: String(id),
  entryId: String(id),
  kind: 'deposit',
  reference: String(id),
  asset: 'USD',
  account: 'available',
  amount: `${id}00`,
  createdAt: '2026-11-24T08:00:00Z',
});

// The wallet page issues five queries at once; on a loaded CI machine they take longer than the default second.
configure({ asyncUtilTimeout: 10_000 });

describe('wallet page', { timeout: 30_000 }, () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/account/profile').reply(200, profile);
    http.onGet('/api/v1/markets').reply(200, markets);
    http.onGet('/api/v1/assets').reply(200, assets);
    http.onGet('/api/v1/wallet/withdrawal-addresses').reply(200, [savedAddress()]);
    http.onGet('/api/v1/wallet/deposits').reply(200, {
      items: [{ id: '3', asset: 'USD', amount: '1000', status: 'confirmed', createdAt: '2026-11-24T08:00:00Z', completedAt: '2026-11-24T08:00:00Z', reason: null }],
      nextCursor: null,
    });
  });

  afterEach(() => {
    http.restore();
  });

  it('shows balances with their precision, withdrawals with their status, and pages through the ledger', async () => {
    http.onGet('/api/v1/wallet/balances').reply(200, balances);
    http.onGet('/api/v1/wallet/withdrawals').reply(200, {
      items: [withdrawal(), withdrawal({ id: '6', status: 'rejected', reason: 'address on a sanctions list' })],
      nextCursor: null,
    });
    http.onGet('/api/v1/wallet/ledger', { params: { limit: 20 } }).reply(200, { items: [ledgerLine(2)], nextCursor: '2' });
    http.onGet('/api/v1/wallet/ledger', { params: { limit: 20, cursor: '2' } }).reply(200, { items: [ledgerLine(1)], nextCursor: null });
    const user = userEvent.setup();
    renderApp('/wallet');

    const table = await screen.findByRole('table', { name: 'Balances' });
    const btc = within(table).getByRole('row', { name: /BTC/ });
    expect(within(btc).getAllByRole('cell').map((c) => c.textContent)).toEqual(['1.50000000', '0.25000000', '1.75000000']);
    expect(within(within(table).getByRole('row', { name: /USD/ })).getAllByRole('cell')[0]).toHaveTextContent('1,000.00');

    const withdrawals = await screen.findByRole('grid', { name: 'Withdrawals' });
    expect(within(withdrawals).getByText('Awaiting email confirmation')).toBeInTheDocument();
    expect(within(withdrawals).getByText('Rejected: address on a sanctions list')).toBeInTheDocument();
    expect(within(withdrawals).getAllByRole('button', { name: /^Cancel withdrawal/ })).toHaveLength(1);
    // The fee stored with each withdrawal, to the asset's decimals.
    expect(within(withdrawals).getByRole('columnheader', { name: 'Fee' })).toBeInTheDocument();
    expect(within(withdrawals).getAllByRole('gridcell', { name: '0.00020000' })).toHaveLength(2);
    expect(await screen.findByRole('grid', { name: 'Deposits' })).toHaveTextContent('Confirmed');

    const ledger = await screen.findByRole('grid', { name: 'Ledger' });
    // To USD's two decimals, with thousands separators, in words.
    await waitFor(() => expect(ledger).toHaveTextContent('200.00'));
    expect(ledger).toHaveTextContent('Deposit');
    const section = screen.getByRole('region', { name: 'Ledger' });
    expect(within(section).getByText('1–20 of more than 20')).toBeInTheDocument();
    await user.click(within(section).getByRole('button', { name: 'Go to next page' }));
    await waitFor(() => expect(screen.getByRole('grid', { name: 'Ledger' })).toHaveTextContent('100.00'));
    // The last page: now the total is known.
    expect(within(section).getByText('21–21 of 21')).toBeInTheDocument();
    await user.click(within(section).getByRole('button', { name: 'Go to previous page' }));
    await waitFor(() => expect(screen.getByRole('grid', { name: 'Ledger' })).toHaveTextContent('200.00'));
  });

  it('cancels a withdrawal and refreshes balances and the list', async () => {
    let cancelled = false;
    http.onGet('/api/v1/wallet/balances').reply(() => [200, cancelled ? [{ ...balances[0], available: '1.75', held: '0' }, balances[1]] : balances]);
    http.onGet('/api/v1/wallet/withdrawals').reply(() => [200, { items: [withdrawal(cancelled ? { status: 'cancelled' } : {})], nextCursor: null }]);
    http.onGet('/api/v1/wallet/ledger').reply(200, { items: [], nextCursor: null });
    http.onDelete('/api/v1/wallet/withdrawals/7').reply(() => {
      cancelled = true;
      return [200, withdrawal({ status: 'cancelled' })];
    });
    const user = userEvent.setup();
    renderApp('/wallet');

    await user.click(await screen.findByRole('button', { name: 'Cancel withdrawal of 0.25 BTC' }));

    const withdrawals = screen.getByRole('grid', { name: 'Withdrawals' });
    expect(await within(withdrawals).findByText('Cancelled')).toBeInTheDocument();
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'Balances' })).getByRole('row', { name: /BTC/ })).toHaveTextContent('1.75000000'));
  });

  it('deposits with an Idempotency-Key and shows the insufficient-funds answer on the amount field of the withdraw form', async () => {
    http.onGet('/api/v1/wallet/balances').reply(200, balances);
    http.onGet('/api/v1/wallet/withdrawals').reply(200, { items: [], nextCursor: null });
    http.onGet('/api/v1/wallet/ledger').reply(200, { items: [], nextCursor: null });
    http.onPost('/api/v1/wallet/deposits').reply((config) =>
      config.headers?.['Idempotency-Key'] ? [201, { id: '9', asset: 'BTC', amount: '0.5', status: 'confirmed', createdAt: '2026-11-24T09:00:00Z', completedAt: null, reason: null }] : [400, {}],
    );
    http.onPost('/api/v1/wallet/withdrawals').reply(422, {
      title: 'The request cannot be carried out.',
      code: 'insufficient_funds',
      errors: { amount: ['Available BTC is 1.2, less than 1.4 plus the withdrawal fee of 0.0002 (1.4002); at most 1.1998 can be withdrawn.'] },
    });
    const user = userEvent.setup();
    renderApp('/wallet');

    const deposit = await screen.findByRole('form', { name: 'Deposit' });
    await user.type(within(deposit).getByLabelText(/^Amount/, { selector: 'input' }), '0.5');
    await user.click(within(deposit).getByRole('button', { name: 'Deposit' }));
    expect(await within(deposit).findByRole('status')).toHaveTextContent('Deposited 0.5 BTC.');

    const form = screen.getByRole('form', { name: 'Withdraw' });
    await user.type(within(form).getByLabelText(/^Amount/, { selector: 'input' }), '1.4');
    await user.click(within(form).getByRole('combobox', { name: /^Address/ }));
    await user.click(await screen.findByRole('option', { name: /^Cold wallet/ }));
    await user.click(within(form).getByRole('button', { name: 'Withdraw' }));
    expect(await within(form).findByText(/^Available BTC is 1\.2, less than 1\.4 plus the withdrawal fee of 0\.0002/)).toBeInTheDocument();
  });

  it('shows a withdrawal the rail completed as completed, without its Cancel button or its hold, as soon as the event arrives', async () => {
    // The API's answers once the Worker has sent the withdrawal; the page must not wait for a refetch of its own.
    let sent = false;
    http.onGet('/api/v1/wallet/balances').reply(200, balances);
    http.onGet('/api/v1/wallet/withdrawals').reply(() => [200, { items: [withdrawal(sent ? { status: 'completed', completedAt: '2026-11-24T09:01:00Z' } : { status: 'pending' })], nextCursor: null }]);
    http.onGet('/api/v1/wallet/ledger').reply(200, { items: [], nextCursor: null });
    const hub = fakeHubs();
    const store = makeStore(undefined, { hubConnectionFactory: hub.factory });
    try {
      renderApp('/wallet', store);
      const withdrawals = await screen.findByRole('grid', { name: 'Withdrawals' });
      expect(await within(withdrawals).findByText('Processing')).toBeInTheDocument();
      expect(within(withdrawals).getByRole('button', { name: 'Cancel withdrawal of 0.25 BTC' })).toBeInTheDocument();
      await waitFor(() => expect(hub.hubs.at(-1)?.started).toBe(true));
      const fetches = () => http.history['get']!.filter((r) => r.url === '/api/v1/wallet/withdrawals').length;
      const before = fetches();

      sent = true;
      act(() => {
        hub.current().emit('fundingUpdate', { kind: 'withdrawal', id: '7', asset: 'BTC', status: 'completed' });
        hub.current().emit('balance', { asset: 'BTC', available: '1.5', held: '0', total: '1.5' });
      });

      expect(await within(withdrawals).findByText('Completed')).toBeInTheDocument();
      expect(within(withdrawals).queryByRole('button', { name: /^Cancel withdrawal/ })).not.toBeInTheDocument();
      expect(fetches()).toBe(before + 1);
      const btc = within(screen.getByRole('table', { name: 'Balances' })).getByRole('row', { name: /BTC/ });
      await waitFor(() => expect(within(btc).getAllByRole('cell').map((c) => c.textContent)).toEqual(['1.50000000', '0.00000000', '1.50000000']));
    } finally {
      store.session.cancelSchedule();
      store.realtime.close();
    }
  });

  it('toasts a fill and shows the balance it changed from the private events, away from the trade page', async () => {
    http.onGet('/api/v1/wallet/balances').reply(200, balances);
    http.onGet('/api/v1/wallet/withdrawals').reply(200, { items: [], nextCursor: null });
    http.onGet('/api/v1/wallet/ledger').reply(200, { items: [], nextCursor: null });
    const hub = fakeHubs();
    const store = makeStore(undefined, { hubConnectionFactory: hub.factory });
    try {
      renderApp('/wallet', store);
      const table = await screen.findByRole('table', { name: 'Balances' });
      // Signed in: the private events are listened to on every page, not only while trading.
      await waitFor(() => expect(hub.hubs.at(-1)?.started).toBe(true));

      act(() => hub.current().emit('fill', btcBuyFill));
      expect(await screen.findByText('Buy order filled: 0.10 BTC at 64,000 USD')).toBeInTheDocument();
      act(() => hub.current().emit('balance', { asset: 'BTC', available: '1.6', held: '0.25', total: '1.85' }));
      await waitFor(() =>
        expect(within(within(table).getByRole('row', { name: /BTC/ })).getAllByRole('cell').map((c) => c.textContent)).toEqual(['1.60000000', '0.25000000', '1.85000000']),
      );
    } finally {
      store.session.cancelSchedule();
      store.realtime.close();
    }
  });
});
