import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { percentError, toRisk } from './MarketRiskControls';

configure({ asyncUtilTimeout: 10_000 });

const risk = {
  priceBandPercent: '10', maxOrderSize: '100', maxOrderNotional: '10000000', openOrderLimit: 200,
  breakerMovePercent: '15', breakerWindowSeconds: 300, breakerHaltSeconds: 300, breakerCancelOnlySeconds: 60,
};
const btcUsd = {
  symbol: 'BTC-USD', baseAsset: 'BTC', quoteAsset: 'USD', basePrecision: 8, quotePrecision: 2, tickSize: '1', lotSize: '0.01', minQuantity: '0.01',
  minNotional: '10', makerFeeBps: '10', takerFeeBps: '20', status: 'halted', statusSource: 'circuit_breaker', statusUntil: '2026-12-06T09:05:00Z', risk,
};

describe('risk controls in the admin pages', { timeout: 30_000 }, () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onGet('/api/v1/status').reply(200, { service: 'apiservice', database: 'ok', redis: 'ok', lastHeartbeatAt: null });
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles: ['Admin'] })));
    http.onGet('/api/v1/markets').reply(200, [btcUsd]);
  });

  afterEach(() => {
    http.restore();
  });

  it('reads empty fields as off and checks percentages', () => {
    expect(percentError('')).toBeUndefined();
    expect(percentError('12.5')).toBeUndefined();
    expect(percentError('0')).toBeDefined();
    expect(percentError('100.01')).toBeDefined();
    expect(percentError('1.234')).toBeDefined();
    expect(toRisk({
      priceBandPercent: ' 12.5 ', maxOrderSize: '', maxOrderNotional: '5000', openOrderLimit: '', breakerMovePercent: '20',
      breakerWindowSeconds: '60', breakerHaltSeconds: '30', breakerCancelOnlySeconds: '0',
    })).toEqual({
      priceBandPercent: '12.5', maxOrderSize: null, maxOrderNotional: '5000', openOrderLimit: null, breakerMovePercent: '20',
      breakerWindowSeconds: 60, breakerHaltSeconds: 30, breakerCancelOnlySeconds: 0,
    });
  });

  it('shows a breaker halt with its end, and asks before setting a market cancel-only', async () => {
    http.onPost('/api/v1/admin/markets/BTC-USD/cancel-only').reply(200, { ...btcUsd, status: 'cancel_only', statusSource: 'admin', statusUntil: null });
    const user = userEvent.setup();
    renderApp('/admin/markets');

    const table = await screen.findByRole('table', { name: 'All markets' });
    expect(within(table).getByText('Halted (circuit breaker)')).toBeInTheDocument();
    await user.click(within(table).getByRole('button', { name: 'Set cancel-only BTC-USD' }));
    const dialog = await screen.findByRole('dialog', { name: 'Set BTC-USD cancel-only?' });
    expect(http.history.post?.filter((r) => r.url === '/api/v1/admin/markets/BTC-USD/cancel-only')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Set cancel-only' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(http.history.post?.filter((r) => r.url === '/api/v1/admin/markets/BTC-USD/cancel-only')).toHaveLength(1);
  });

  it('saves the risk settings and shows the API refusal on its field', async () => {
    http.onPut('/api/v1/admin/markets/BTC-USD/risk').replyOnce(400, {
      title: 'The risk settings are not valid.',
      code: 'invalid_risk_settings',
      errors: { maxOrderSize: ['A whole number of lots (0.01 BTC), at least the minimum size 0.01.'] },
    });
    http.onPut('/api/v1/admin/markets/BTC-USD/risk').reply(200, btcUsd);
    const user = userEvent.setup();
    renderApp('/admin/markets');

    await user.click(await screen.findByRole('button', { name: 'Risk controls of BTC-USD' }));
    const dialog = await screen.findByRole('dialog', { name: 'Risk controls of BTC-USD' });
    const field = (label: RegExp) => within(dialog).getByLabelText(label, { selector: 'input' });
    expect(field(/^Price band/)).toHaveValue('10');
    await user.clear(field(/^Price band/));
    await user.type(field(/^Price band/), '0');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText('Above 0, at most 100, 2 decimals; empty turns it off.')).toBeInTheDocument();
    expect(http.history.put ?? []).toHaveLength(0);

    await user.clear(field(/^Price band/));
    await user.type(field(/^Price band/), '12.5');
    await user.clear(field(/^Max order size/));
    await user.type(field(/^Max order size/), '0.015');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText(/A whole number of lots/)).toBeInTheDocument();
    expect(JSON.parse(String(http.history.put?.[0]?.data))).toEqual({ ...risk, priceBandPercent: '12.5', maxOrderSize: '0.015' });

    await user.clear(field(/^Max order size/));
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(JSON.parse(String(http.history.put?.[1]?.data))).toMatchObject({ priceBandPercent: '12.5', maxOrderSize: null });
  });

  it('suspends a user’s trading after confirmation, cancelling their orders', async () => {
    const trader = {
      id: 'u1', email: 'bot@example.com', emailVerified: true, twoFactorEnabled: false, lockedOut: false, lockoutEnd: null,
      createdAt: '2026-11-24T09:00:00Z', roles: ['Trader'], tradingSuspended: false,
    };
    http.onGet('/api/v1/admin/users').reply(200, { items: [trader], nextCursor: null });
    http.onPost('/api/v1/admin/users/u1/trading-suspension').reply(200, { userId: 'u1', suspended: true, suspendedAt: '2026-12-06T08:00:00Z' });
    const user = userEvent.setup();
    renderApp('/admin/users');

    await user.click(await screen.findByRole('button', { name: 'Suspend trading of bot@example.com' }));
    const dialog = await screen.findByRole('dialog', { name: 'Suspend trading of bot@example.com?' });
    expect(within(dialog).getByRole('checkbox', { name: 'Also cancel all their open orders now' })).toBeChecked();
    await user.click(within(dialog).getByRole('button', { name: 'Suspend trading' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(JSON.parse(String(http.history.post?.find((r) => r.url === '/api/v1/admin/users/u1/trading-suspension')?.data))).toEqual({ cancelOrders: true });
  });
});
