import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';

configure({ asyncUtilTimeout: 10_000 });

const deposit = { id: '12', userId: 'u1', email: 'whale@example.com', asset: 'BTC', amount: '5', status: 'pending', requiresApproval: true, createdAt: '2026-11-24T09:00:00Z' };
const withdrawal = {
  id: '31', userId: 'u1', email: 'whale@example.com', asset: 'BTC', amount: '3', fee: '0.0002', address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  status: 'pending_approval', createdAt: '2026-11-24T09:00:00Z', confirmedAt: '2026-11-24T09:01:00Z',
};

describe('admin funding and markets pages', { timeout: 30_000 }, () => {
  let http: MockAdapter;

  // The routes load these pages lazily, and the first import of one transforms it and the Data Grid beneath it: seconds
  // on a busy machine that belong to loading the file, not to the behaviour each test checks within its time.
  beforeAll(async () => {
    await Promise.all([import('./FundingAdminPage'), import('./MarketsAdminPage')]);
  });

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onGet('/api/v1/status').reply(200, { service: 'apiservice', database: 'ok', redis: 'ok', lastHeartbeatAt: null });
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles: ['Admin'] })));
  });

  afterEach(() => {
    http.restore();
  });

  it('approves a large deposit and rejects a withdrawal only with a reason', async () => {
    http.onGet('/api/v1/admin/funding/deposits').reply(200, { items: [deposit], nextCursor: null });
    http.onGet('/api/v1/admin/funding/withdrawals').reply(200, { items: [withdrawal], nextCursor: null });
    http.onPost('/api/v1/admin/funding/deposits/12/approve').reply(200, { id: '12', asset: 'BTC', amount: '5', status: 'confirmed' });
    http.onPost('/api/v1/admin/funding/withdrawals/31/reject').reply(200, { id: '31', status: 'rejected' });
    const user = userEvent.setup();
    renderApp('/admin/funding');

    const deposits = await screen.findByRole('grid', { name: 'Pending deposits' });
    expect(await within(deposits).findByText('Above threshold')).toBeInTheDocument();
    await user.click(within(deposits).getByRole('button', { name: 'Approve deposit 12: 5 BTC for whale@example.com' }));
    const approve = await screen.findByRole('dialog', { name: 'Approve deposit' });
    await user.click(within(approve).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(JSON.parse(String(http.history.post?.find((r) => r.url === '/api/v1/admin/funding/deposits/12/approve')?.data))).toEqual({});

    const withdrawals = screen.getByRole('grid', { name: 'Open withdrawals' });
    // The fee stored with the withdrawal, to BTC's decimals.
    expect(within(withdrawals).getByRole('gridcell', { name: '0.00020000' })).toBeInTheDocument();
    await user.click(within(withdrawals).getByRole('button', { name: 'Reject withdrawal 31: 3 BTC for whale@example.com' }));
    const reject = await screen.findByRole('dialog', { name: 'Reject withdrawal' });
    await user.click(within(reject).getByRole('button', { name: 'Reject' }));
    expect(within(reject).getByText('Say why: the user and the audit log see it.')).toBeInTheDocument();
    // Pasted, not typed key by key: each key re-renders the dialog's auto-sizing text area, which is the slow part in
    // jsdom and proves nothing more about the reason sent.
    await user.click(within(reject).getByLabelText(/^Reason/, { selector: 'textarea' }));
    await user.paste('address on a sanctions list');
    await user.click(within(reject).getByRole('button', { name: 'Reject' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(JSON.parse(String(http.history.post?.find((r) => r.url === '/api/v1/admin/funding/withdrawals/31/reject')?.data))).toEqual({ reason: 'address on a sanctions list' });
  });

  it('adds a market and shows the grid error the API returns on its field', async () => {
    http.onGet('/api/v1/markets').reply(200, []);
    http.onGet('/api/v1/assets').reply(200, [{ code: 'BTC', precision: 8, withdrawalFee: '0.0002' }]);
    http.onPost('/api/v1/admin/markets').reply(400, {
      title: 'The request is not valid.',
      code: 'invalid_market_spec',
      errors: { lotSize: ['SOL-USD: tick × lot = 0.0001 is finer than USD\'s 2 decimals.'] },
    });
    const user = userEvent.setup();
    renderApp('/admin/markets');

    const form = await screen.findByRole('form', { name: 'Add market' });
    const field = (label: RegExp) => within(form).getByLabelText(label, { selector: 'input' });
    await user.type(field(/^Base asset/), 'sol');
    await user.type(field(/^Quote asset/), 'usd');
    await user.type(field(/^Tick size/), '0.01');
    await user.type(field(/^Lot size/), '0.01');
    await user.type(field(/^Min quantity/), '0.01');
    await user.type(field(/^Min notional/), '1');
    await user.click(within(form).getByRole('button', { name: 'Add market' }));

    expect(await within(form).findByText(/finer than USD's 2 decimals/)).toBeInTheDocument();
    expect(field(/^Lot size/)).toHaveValue('0.01');
    expect(JSON.parse(String(http.history.post?.find((r) => r.url === '/api/v1/admin/markets')?.data))).toMatchObject({ baseAsset: 'SOL', quoteAsset: 'USD' });
  });
});
