import { configure, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { assets, balances, markets, profile, savedAddress, withdrawal } from './fixtures';
import { addressError, amountError, ibanIsValid, maxWithdrawal } from './validation';

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
    // The fee is on top: 1.4998 + 0.0002 is everything, a satoshi more is too much.
    expect(amountError('1.4998', 8, '1.5', '0.0002')).toBeUndefined();
    expect(amountError('1.49980001', 8, '1.5', '0.0002')).toBe('With the withdrawal fee of 0.0002, more than your available 1.5.');
    expect(amountError('2', 8, '1.5', '0.0002')).toBe('More than your available 1.5.');
  });

  it('makes Max everything available less the fee, cut to the asset\'s decimals, and never below zero', () => {
    expect(maxWithdrawal('1.234567891', '0.0002', 8)).toEqual({ amount: '1.23436789' });
    expect(maxWithdrawal('1000', '5', 2)).toEqual({ amount: '995' });
    expect(maxWithdrawal('1.5', '0', 8)).toEqual({ amount: '1.5' });
    expect(maxWithdrawal('0.0003', '0.0002', 8)).toEqual({ amount: '0.0001' });
    expect(maxWithdrawal('0.0002', '0.0002', 8)).toEqual({ reason: 'Your available 0.0002 does not cover the withdrawal fee of 0.0002.' });
    expect(maxWithdrawal('0.0001', '0.0002', 8)).toEqual({ reason: 'Your available 0.0001 does not cover the withdrawal fee of 0.0002.' });
    expect(maxWithdrawal('0', '0.0002', 8)).toEqual({ reason: 'Nothing available to withdraw.' });
    expect(maxWithdrawal(undefined, '0.0002', 8)).toEqual({ reason: 'Nothing available to withdraw.' });
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
    http.onGet('/api/v1/assets').reply(200, assets);
    http.onGet('/api/v1/wallet/withdrawals').reply(200, { items: [], nextCursor: null });
    http.onGet('/api/v1/wallet/deposits').reply(200, { items: [], nextCursor: null });
    http.onGet('/api/v1/wallet/ledger').reply(200, { items: [], nextCursor: null });
    http.onGet('/api/v1/wallet/withdrawal-addresses').reply(200, [
      savedAddress(),
      savedAddress({ id: '4', label: 'New wallet', address: 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh', usableFrom: '2099-01-01T00:00:00Z', usable: false }),
      savedAddress({ id: '5', asset: 'USD', label: 'My bank', address: 'DE89370400440532013000' }),
    ]);
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
    const address = within(form).getByRole('combobox', { name: /^Address/ });
    const code = within(form).getByLabelText(/^Two-factor code/, { selector: 'input' });

    // Validation as the user types.
    await user.type(amount, '2');
    expect(within(form).getByText('More than your available 1.5.')).toBeInTheDocument();
    await user.clear(amount);
    await user.type(amount, '0.25');
    await user.click(address);
    await user.click(await screen.findByRole('option', { name: /^Cold wallet/ }));
    await user.type(code, '123456');
    await user.click(within(form).getByRole('button', { name: 'Withdraw' }));

    expect(await within(form).findByText('The code is wrong, expired or already used.')).toBeInTheDocument();
    expect(amount).toHaveValue('0.25');
    expect(address).toHaveTextContent('Cold wallet');
    expect(code).toHaveValue('123456');

    await user.clear(code);
    await user.type(code, '654321');
    await user.click(within(form).getByRole('button', { name: 'Withdraw' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('Confirm it with the link we emailed you');
    expect(amount).toHaveValue('');
    expect(sent[1]?.body).toEqual({ asset: 'BTC', amount: '0.25', addressId: '3', twoFactorCode: '654321' });
    // Same asset, amount and address: the retry reuses its Idempotency-Key, so it cannot withdraw twice.
    expect(sent[1]?.key).toBe(sent[0]?.key);
  });

  it('does not ask for a code without 2FA, offers the saved addresses of the asset and one on hold only disabled, with until when', async () => {
    http.onGet('/api/v1/account/profile').reply(200, profile);
    const user = userEvent.setup();
    renderApp('/wallet');

    const form = await screen.findByRole('form', { name: 'Withdraw' });
    expect(within(form).queryByLabelText(/^Two-factor code/)).not.toBeInTheDocument();
    await user.type(within(form).getByLabelText(/^Amount/, { selector: 'input' }), '0.1');
    await user.click(within(form).getByRole('button', { name: 'Withdraw' }));
    expect(within(form).getByText('Choose one of your saved addresses.')).toBeInTheDocument();
    expect(http.history.post?.filter((r) => r.url === '/api/v1/wallet/withdrawals')).toHaveLength(0);

    await user.click(within(form).getByRole('combobox', { name: /^Address/ }));
    const options = await screen.findAllByRole('option');
    // Only BTC addresses: the USD one belongs to another asset.
    expect(options.map((o) => o.textContent)).toEqual([
      expect.stringMatching(/^Cold wallet — bc1qar0/),
      expect.stringMatching(/^New wallet — bc1qxy2.*\(on hold until .+\)$/),
    ]);
    expect(options[0]).not.toHaveAttribute('aria-disabled', 'true');
    expect(options[1]).toHaveAttribute('aria-disabled', 'true');
  });

  it('switches to the addresses of another asset, and says where to add one when it has none', async () => {
    http.onGet('/api/v1/account/profile').reply(200, profile);
    http.onGet('/api/v1/wallet/balances').reply(200, [...balances, { asset: 'ETH', available: '2', held: '0', total: '2' }]);
    const user = userEvent.setup();
    renderApp('/wallet');

    const form = await screen.findByRole('form', { name: 'Withdraw' });
    await user.click(within(form).getByRole('combobox', { name: /^Asset/ }));
    await user.click(await screen.findByRole('option', { name: /^USD/ }));
    await user.click(within(form).getByRole('combobox', { name: /^Address/ }));
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual([expect.stringMatching(/^My bank — DE89/)]);
    await user.keyboard('{Escape}');

    await user.click(within(form).getByRole('combobox', { name: /^Asset/ }));
    await user.click(await screen.findByRole('option', { name: /^ETH/ }));
    expect(within(form).getByText('No saved ETH address yet: add one under Withdrawal addresses.')).toBeInTheDocument();
  });

  it("shows the API's address_on_hold answer on the address field", async () => {
    http.onGet('/api/v1/account/profile').reply(200, profile);
    http.onPost('/api/v1/wallet/withdrawals').reply(422, {
      title: 'The request cannot be carried out.',
      code: 'address_on_hold',
      usableFrom: '2026-11-21T09:00:00Z',
      errors: { addressId: ["'Cold wallet' was added recently; for your safety it can be used from 2026-11-21 09:00:00Z."] },
    });
    const user = userEvent.setup();
    renderApp('/wallet');

    const form = await screen.findByRole('form', { name: 'Withdraw' });
    await user.type(within(form).getByLabelText(/^Amount/, { selector: 'input' }), '0.1');
    await user.click(within(form).getByRole('combobox', { name: /^Address/ }));
    await user.click(await screen.findByRole('option', { name: /^Cold wallet/ }));
    await user.click(within(form).getByRole('button', { name: 'Withdraw' }));
    expect(await within(form).findByText(/it can be used from 2026-11-21/)).toBeInTheDocument();
  });

  it('fills in the most that can be withdrawn less the fee, and shows the fee, what arrives and the total deducted', async () => {
    http.onGet('/api/v1/account/profile').reply(200, profile);
    http.onGet('/api/v1/wallet/balances').reply(200, [
      { asset: 'BTC', available: '1.234567891', held: '0', total: '1.234567891' },
      balances[1],
      { asset: 'ETH', available: '0.001', held: '0', total: '0.001' },
    ]);
    const user = userEvent.setup();
    renderApp('/wallet');

    const form = await screen.findByRole('form', { name: 'Withdraw' });
    const amount = within(form).getByLabelText(/^Amount/, { selector: 'input' });
    expect(await within(form).findByText('Withdrawal fee: 0.00020000 BTC')).toBeInTheDocument();
    expect(within(form).getByText('You will receive: —')).toBeInTheDocument();
    expect(within(form).getByText('Total deducted: —')).toBeInTheDocument();
    // Available less BTC's fee, cut, never rounded up, to 8 decimals: amount + fee is at most what is available.
    await user.click(within(form).getByRole('button', { name: 'Max: withdraw the most you can' }));
    expect(amount).toHaveValue('1.23436789');
    expect(within(form).getByText('You will receive: 1.23436789 BTC')).toBeInTheDocument();
    expect(within(form).getByText('Total deducted: 1.23456789 BTC')).toBeInTheDocument();

    await user.click(within(form).getByRole('combobox', { name: /^Asset/ }));
    await user.click(await screen.findByRole('option', { name: /^USD/ }));
    await user.click(within(form).getByRole('button', { name: 'Max: withdraw the most you can' }));
    expect(amount).toHaveValue('995');
    expect(within(form).getByText('Withdrawal fee: 5.00 USD')).toBeInTheDocument();
    expect(within(form).getByText('You will receive: 995.00 USD')).toBeInTheDocument();
    expect(within(form).getByText('Total deducted: 1,000.00 USD')).toBeInTheDocument();
    // Typed past what the fee leaves: refused in place, naming the fee.
    await user.clear(amount);
    await user.type(amount, '996');
    expect(within(form).getByText('With the withdrawal fee of 5, more than your available 1000.')).toBeInTheDocument();

    // ETH: 0.001 available does not cover its 0.002 fee. Max is disabled and says why.
    await user.click(within(form).getByRole('combobox', { name: /^Asset/ }));
    await user.click(await screen.findByRole('option', { name: /^ETH/ }));
    const max = within(form).getByRole('button', { name: 'Max: withdraw the most you can' });
    expect(max).toBeDisabled();
    expect(max).toHaveAccessibleDescription('Your available 0.001 does not cover the withdrawal fee of 0.002.');
  });
});
