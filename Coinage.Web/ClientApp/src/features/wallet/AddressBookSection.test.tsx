import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { base64Url, installFakeWebAuthn, removeFakeWebAuthn, requestOptions } from '../../test/fakeWebAuthn';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { assets, balances, markets, profile, savedAddress } from './fixtures';
import { labelError } from './validation';
import type { WithdrawalAddress } from './walletApi';

// The wallet page issues six queries at once; on a loaded CI machine they take longer than the default second.
configure({ asyncUtilTimeout: 10_000 });

describe('address book labels', () => {
  it('follow the API rule: 1 to 64 characters, no control characters', () => {
    expect(labelError(' ')).toBe('Name the address, so you recognise it when you withdraw.');
    expect(labelError('x'.repeat(65))).toBe('At most 64 characters.');
    expect(labelError('line\nbreak')).toBe('Letters, digits and punctuation only.');
    expect(labelError('Hardware wallet (Ledger)')).toBeUndefined();
  });
});

describe('withdrawal address book', { timeout: 30_000 }, () => {
  let http: MockAdapter;
  let book: WithdrawalAddress[];

  beforeEach(() => {
    book = [savedAddress()];
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/account/profile').reply(200, profile);
    http.onGet('/api/v1/markets').reply(200, markets);
    http.onGet('/api/v1/assets').reply(200, assets);
    http.onGet('/api/v1/wallet/balances').reply(200, balances);
    http.onGet('/api/v1/wallet/withdrawals').reply(200, { items: [], nextCursor: null });
    http.onGet('/api/v1/wallet/deposits').reply(200, { items: [], nextCursor: null });
    http.onGet('/api/v1/wallet/ledger').reply(200, { items: [], nextCursor: null });
    http.onGet('/api/v1/wallet/withdrawal-addresses').reply(() => [200, book]);
  });

  afterEach(() => {
    http.restore();
  });

  it('adds an address, says from when it can be used, lists it on hold and removes one', async () => {
    const posted: unknown[] = [];
    http.onPost('/api/v1/wallet/withdrawal-addresses').reply((config) => {
      const body = JSON.parse(String(config.data)) as { asset: string; label: string; address: string };
      posted.push(body);
      const entry = savedAddress({ id: '8', ...body, usableFrom: '2099-01-02T09:00:00Z', usable: false });
      book = [...book, entry];
      return [201, entry];
    });
    http.onDelete('/api/v1/wallet/withdrawal-addresses/3').reply(() => {
      book = book.filter((a) => a.id !== '3');
      return [204];
    });
    const user = userEvent.setup();
    renderApp('/wallet');

    const form = await screen.findByRole('form', { name: 'Add withdrawal address' });
    // Checked as the user types, with the API's rules, before anything is sent.
    await user.type(within(form).getByLabelText(/^Address/, { selector: 'input' }), 'not an address');
    await user.click(within(form).getByRole('button', { name: 'Save address' }));
    expect(within(form).getByText('Name the address, so you recognise it when you withdraw.')).toBeInTheDocument();
    expect(within(form).getByText('A Bitcoin address starts with bc1, 1 or 3.')).toBeInTheDocument();
    expect(posted).toHaveLength(0);

    await user.type(within(form).getByLabelText(/^Label/, { selector: 'input' }), ' Hardware wallet ');
    const address = within(form).getByLabelText(/^Address/, { selector: 'input' });
    await user.clear(address);
    await user.type(address, 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh');
    await user.click(within(form).getByRole('button', { name: 'Save address' }));

    expect(await within(form).findByRole('status')).toHaveTextContent(/"Hardware wallet" saved\. For your safety it can be used from .+; we emailed you about it\./);
    expect(posted).toEqual([{ asset: 'BTC', label: 'Hardware wallet', address: 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh' }]);
    const table = await screen.findByRole('table', { name: 'Withdrawal addresses' });
    await waitFor(() => expect(within(table).getByRole('row', { name: /Hardware wallet/ })).toHaveTextContent(/Usable from /));
    expect(within(table).getByRole('row', { name: /Cold wallet/ })).toHaveTextContent('Usable');

    await user.click(within(table).getByRole('button', { name: 'Remove address Cold wallet' }));
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'Withdrawal addresses' })).queryByText('Cold wallet')).not.toBeInTheDocument());
    expect(http.history.delete?.map((r) => r.url)).toEqual(['/api/v1/wallet/withdrawal-addresses/3']);
  });

  it("shows the API's refusal of a duplicate on the address field and keeps what was typed", async () => {
    http.onPost('/api/v1/wallet/withdrawal-addresses').reply(409, {
      title: 'The request conflicts with the current state.',
      code: 'address_exists',
      errors: { address: ['This BTC address is already in your address book.'] },
    });
    const user = userEvent.setup();
    renderApp('/wallet');

    const form = await screen.findByRole('form', { name: 'Add withdrawal address' });
    await user.type(within(form).getByLabelText(/^Label/, { selector: 'input' }), 'Again');
    await user.type(within(form).getByLabelText(/^Address/, { selector: 'input' }), 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq');
    await user.click(within(form).getByRole('button', { name: 'Save address' }));

    expect(await within(form).findByText('This BTC address is already in your address book.')).toBeInTheDocument();
    expect(within(form).getByLabelText(/^Label/, { selector: 'input' })).toHaveValue('Again');
  });

  // Adding an address needs a fresh proof (issue 21, item 8): the API's 403 opens the step-up dialog, and the
  // same request goes again once the passkey is accepted.
  it('saves an address after the step-up dialog confirms it is you with a passkey', async () => {
    const webauthn = installFakeWebAuthn();
    try {
      const posted: unknown[] = [];
      http
        .onPost('/api/v1/wallet/withdrawal-addresses')
        .replyOnce(403, { title: 'Confirm it is you', status: 403, code: 'step_up_required', methods: ['passkey', 'recovery_code'], maxAgeSeconds: 300 })
        .onPost('/api/v1/wallet/withdrawal-addresses')
        .reply((config) => {
          const entry = savedAddress({ id: '9', ...(JSON.parse(String(config.data)) as object), usableFrom: '2099-01-02T09:00:00Z', usable: false });
          posted.push(entry);
          book = [...book, entry];
          return [201, entry];
        });
      http.onPost('/api/v1/account/step-up/passkey/options').reply(200, { ceremonyId: 'ceremony-1', options: { ...requestOptions, allowCredentials: [{ type: 'public-key', id: base64Url('cred-1') }] } });
      http.onPost('/api/v1/account/step-up').reply(200, { method: 'passkey', freshUntil: '2099-01-01T09:05:00Z' });
      const user = userEvent.setup();
      renderApp('/wallet');

      const form = await screen.findByRole('form', { name: 'Add withdrawal address' });
      await user.type(within(form).getByLabelText(/^Label/, { selector: 'input' }), 'Hardware wallet');
      await user.type(within(form).getByLabelText(/^Address/, { selector: 'input' }), 'bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh');
      await user.click(within(form).getByRole('button', { name: 'Save address' }));
      const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
      await user.click(within(dialog).getByRole('button', { name: 'Use a passkey' }));

      expect(await within(form).findByRole('status')).toHaveTextContent(/"Hardware wallet" saved\./);
      expect(posted).toHaveLength(1);
      expect(webauthn.get).toHaveBeenCalledTimes(1);
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    } finally {
      removeFakeWebAuthn();
    }
  });

  it('makes an address usable in the list and the withdraw form when its hold ends, without a reload', async () => {
    // Long enough for the wallet page (balances, forms and three grids) to render on a loaded machine before it ends.
    book = [savedAddress({ usableFrom: new Date(Date.now() + 5000).toISOString(), usable: false })];
    const user = userEvent.setup();
    renderApp('/wallet');

    const table = await screen.findByRole('table', { name: 'Withdrawal addresses' });
    expect(within(table).getByRole('row', { name: /Cold wallet/ })).toHaveTextContent(/Usable from /);
    await waitFor(() => expect(within(table).getByRole('row', { name: /Cold wallet/ })).not.toHaveTextContent(/Usable from /), { timeout: 15_000 });

    const withdraw = screen.getByRole('form', { name: 'Withdraw' });
    await user.click(within(withdraw).getByRole('combobox', { name: /^Address/ }));
    expect(await screen.findByRole('option', { name: /^Cold wallet/ })).not.toHaveAttribute('aria-disabled', 'true');
    // One fetch: the page judged the hold by the clock, not by asking again.
    expect(http.history.get?.filter((r) => r.url === '/api/v1/wallet/withdrawal-addresses')).toHaveLength(1);
  });
});
