import { configure, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { balances, markets, profile, withdrawal } from './fixtures';
import { addressError, amountError, ibanIsValid } from './validation';

// The wallet page issues five queries at once; on a loaded CI machine they take longer than the default second.
configure({ asyncUtilTimeout: 10_000 });

describe('withdrawal validation', () => {
  it('checks amounts against the asset precision and what is available', () => {
    expect(amountError('', 8)).toBe('Enter an amount.');
    expect(amountError('-1', 8)).toBe('Digits and one decimal point only.');
    expect(amountError('1e3', 8)).toBe('Digits and one decimal point only.');
    expect(amountError('0', 8)).toBe('The amount must be more than 0.');
    expect(amountError('1.001', 2)).toBe('At most 2 decimals.');
    expect(amountError('2', 8, '1.5')).toBe('More than your available 1.5.');
    expect(amountError('1.5', 8, '1.5')).toBeUndefined();
  });

  it('checks addresses with the same rules as the API', () => {
    expect(addressError('BTC', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq')).toBeUndefined();
    expect(addressError('BTC', '0x52908400098527886E0F7030069857D2E4169EE7')).toMatch(/Bitcoin/);
    expect(addressError('ETH', '0x52908400098527886E0F7030069857D2E4169EE7')).toBeUndefined();
    expect(addressError('USD', 'DE89 3704 0044 0532 0130 00')).toBeUndefined();
    expect(ibanIsValid('DE89370400440532013001')).toBe(false);
    expect(addressError('SOL', 'short')).toBeDefined();
  });
});

describe('withdraw form', { timeout: 30_000 }, () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/wallet/balances').reply(200, balances);
    http.onGet('/api/v1/markets').reply(200, markets);
    http.onGet('/api/v1/wallet/withdrawals').reply(200, { items: [], nextCursor: null });
    http.onGet('/api/v1/wallet/deposits').reply(200, { items: [], nextCursor: null });
    http.onGet('/api/v1/wallet/ledger').reply(200, { items: [], nextCursor: null });
  });

  afterEach(() => {
    http.restore();
  });

  it('asks for the two-factor code when 2FA is on, shows the API field error in place and keeps what was typed', async () => {
    http.onGet('/api/v1/account/profile').reply(200, { ...profile, twoFactorEnabled: true });
    const sent: { key: string; body: unknown }[] = [];
    http.onPost('/api/v1/wallet/withdrawals').reply((config) => {
      sent.push({ key: String(config.headers?.['Idempotency-Key']), body: JSON.parse(String(config.data)) });
      return sent.length === 1
        ? [400, { title: 'The request is not valid.', code: 'invalid_two_factor_code', errors: { twoFactorCode: ['The code is wrong, expired or already used.'] } }]
        : [201, withdrawal()];
    });
    const user = userEvent.setup();
    renderApp('/wallet');

    const form = await screen.findByRole('form', { name: 'Withdraw' });
    const amount = within(form).getByLabelText(/^Amount/, { selector: 'input' });
    const address = within(form).getByLabelText(/^Address/, { selector: 'input' });
    const code = within(form).getByLabelText(/^Two-factor code/, { selector: 'input' });

    // Validation as the user types.
    await user.type(amount, '2');
    expect(within(form).getByText('More than your available 1.5.')).toBeInTheDocument();
    await user.clear(amount);
    await user.type(amount, '0.25');
    await user.type(address, 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq');
    await user.type(code, '123456');
    await user.click(within(form).getByRole('button', { name: 'Withdraw' }));

    expect(await within(form).findByText('The code is wrong, expired or already used.')).toBeInTheDocument();
    expect(amount).toHaveValue('0.25');
    expect(address).toHaveValue('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq');
    expect(code).toHaveValue('123456');

    await user.clear(code);
    await user.type(code, '654321');
    await user.click(within(form).getByRole('button', { name: 'Withdraw' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('Confirm it with the link we emailed you');
    expect(amount).toHaveValue('');
    expect(sent[1]?.body).toEqual({ asset: 'BTC', amount: '0.25', address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', twoFactorCode: '654321' });
    // Same asset, amount and address: the retry reuses its Idempotency-Key, so it cannot withdraw twice.
    expect(sent[1]?.key).toBe(sent[0]?.key);
  });

  it('does not ask for a code without 2FA and blocks an address of the wrong format before sending', async () => {
    http.onGet('/api/v1/account/profile').reply(200, profile);
    const user = userEvent.setup();
    renderApp('/wallet');

    const form = await screen.findByRole('form', { name: 'Withdraw' });
    expect(within(form).queryByLabelText(/^Two-factor code/)).not.toBeInTheDocument();
    await user.type(within(form).getByLabelText(/^Amount/, { selector: 'input' }), '0.1');
    await user.type(within(form).getByLabelText(/^Address/, { selector: 'input' }), 'not an address');
    await user.click(within(form).getByRole('button', { name: 'Withdraw' }));

    expect(within(form).getByText('A Bitcoin address starts with bc1, 1 or 3.')).toBeInTheDocument();
    expect(http.history.post?.filter((r) => r.url === '/api/v1/wallet/withdrawals')).toHaveLength(0);
  });
});
