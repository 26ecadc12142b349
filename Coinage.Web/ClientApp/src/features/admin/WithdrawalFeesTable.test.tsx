import { configure, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { withdrawalFeeError } from './WithdrawalFeesTable';

configure({ asyncUtilTimeout: 10_000 });

describe('withdrawal fees in the admin markets page', { timeout: 30_000 }, () => {
  let http: MockAdapter;
  let assets: { code: string; precision: number; withdrawalFee: string }[];

  beforeEach(() => {
    assets = [
      { code: 'BTC', precision: 8, withdrawalFee: '0.0002' },
      { code: 'USD', precision: 2, withdrawalFee: '5' },
    ];
    http = new MockAdapter(apiClient);
    http.onGet('/api/v1/status').reply(200, { service: 'apiservice', database: 'ok', redis: 'ok', lastHeartbeatAt: null });
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles: ['Admin'] })));
    http.onGet('/api/v1/markets').reply(200, []);
    http.onGet('/api/v1/assets').reply(() => [200, assets]);
  });

  afterEach(() => {
    http.restore();
  });

  it('checks a fee as the API does: zero or more, on the asset\'s grid', () => {
    expect(withdrawalFeeError('0', 2)).toBeUndefined();
    expect(withdrawalFeeError('0.0002', 8)).toBeUndefined();
    expect(withdrawalFeeError('', 2)).toBe('Enter a fee (0 for none).');
    expect(withdrawalFeeError('-1', 2)).toBe('Digits and one decimal point only.');
    expect(withdrawalFeeError('0.001', 2)).toBe('At most 2 decimals.');
  });

  it('shows each asset\'s fee, refuses an off-grid one in place and saves a new one', async () => {
    const sent: unknown[] = [];
    http.onPut('/api/v1/admin/assets/USD/withdrawal-fee').reply((config) => {
      const body = JSON.parse(String(config.data)) as { withdrawalFee: string };
      sent.push(body);
      assets = assets.map((a) => (a.code === 'USD' ? { ...a, withdrawalFee: body.withdrawalFee } : a));
      return [200, assets[1]];
    });
    const user = userEvent.setup();
    renderApp('/admin/markets');

    const table = await screen.findByRole('table', { name: 'Withdrawal fees' });
    expect(within(table).getByRole('row', { name: /^BTC/ })).toHaveTextContent('0.00020000 BTC');
    const form = within(table).getByRole('form', { name: 'Withdrawal fee of USD' });
    const fee = within(form).getByLabelText(/^USD fee/, { selector: 'input' });
    expect(fee).toHaveValue('5');

    await user.clear(fee);
    await user.type(fee, '2.555');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(within(form).getByText('At most 2 decimals.')).toBeInTheDocument();
    expect(sent).toHaveLength(0);

    await user.clear(fee);
    await user.type(fee, '2.5');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('Saved.');
    expect(sent).toEqual([{ withdrawalFee: '2.5' }]);
    // The list is fetched again: the fee now is the saved one.
    expect(await within(table).findByText('2.50 USD')).toBeInTheDocument();
  });
});
