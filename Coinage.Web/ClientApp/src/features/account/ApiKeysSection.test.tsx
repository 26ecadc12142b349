import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import type { ApiKey, CreatedApiKey, Profile } from './accountApi';
import { parseAllowList } from './ApiKeysSection';

const profile: Profile = {
  id: '0193a000-0000-7000-8000-000000000001',
  email: 'trader@example.com',
  emailVerified: true,
  twoFactorEnabled: false,
  hasAntiPhishingPhrase: false,
  antiPhishingPhrase: null,
  roles: ['Trader'],
  createdAt: '2026-11-01T10:00:00Z',
};

const bot: ApiKey = {
  id: 'ck_abcdefghijklmnopqrst',
  name: 'Market maker',
  scopes: ['read', 'trade'],
  ipAllowList: ['203.0.113.7/32'],
  expiresAt: null,
  createdAt: '2026-12-01T10:00:00Z',
  lastUsedAt: '2026-12-06T07:00:00Z',
};

const created: CreatedApiKey = {
  id: 'ck_zyxwvutsrqponmlkjihg',
  name: 'Tax export',
  scopes: ['read'],
  ipAllowList: [],
  expiresAt: null,
  createdAt: '2026-12-06T08:00:00Z',
  secret: 'dGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZy0wMTIzNDU2',
};

const stepUpRequired = {
  type: 'https://coinage.dev/problems/step_up_required',
  title: 'Confirm it is you',
  status: 403,
  code: 'step_up_required',
  methods: ['password'],
  maxAgeSeconds: 300,
};

const keysUrl = '/api/v1/account/api-keys';

// Issue 23, item 1: Account → Security → API keys.
describe('account API keys', () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/account/profile').reply(200, profile);
    http.onGet('/api/v1/account/passkeys').reply(200, []);
  });

  afterEach(() => {
    http.restore();
    vi.restoreAllMocks();
  });

  it('creates a key after the step-up dialog, shows its secret once with a copy button, and lists it', async () => {
    http.onGet(keysUrl).replyOnce(200, []).onGet(keysUrl).reply(200, [{ ...created, lastUsedAt: null }]);
    http.onPost(keysUrl).replyOnce(403, stepUpRequired).onPost(keysUrl).reply(201, created);
    http.onPost('/api/v1/account/step-up', { password: 'my password 2026' }).reply(200, { method: 'password', freshUntil: '2026-12-06T08:05:00Z' });
    const user = userEvent.setup();
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderApp('/account/security');

    expect(await screen.findByText('You have no API keys.')).toBeInTheDocument();
    const form = screen.getByRole('form', { name: 'Create an API key' });
    await user.type(within(form).getByLabelText(/^Key name/, { selector: 'input' }), 'Tax export');
    // Read and trade are on, withdraw off, by default; this key only reads.
    expect(within(form).getByRole('checkbox', { name: 'Withdraw' })).not.toBeChecked();
    await user.click(within(form).getByRole('checkbox', { name: 'Trade' }));
    await user.click(within(form).getByRole('button', { name: 'Create API key' }));

    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await user.type(within(dialog).getByLabelText(/^Password/, { selector: 'input' }), 'my password 2026');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    const secret = await screen.findByRole('region', { name: 'New API key' });
    expect(within(secret).getByLabelText('Secret')).toHaveTextContent(created.secret);
    expect(within(secret).getByLabelText('Key id')).toHaveTextContent(created.id);
    const posts = http.history['post']!.filter((r) => r.url === keysUrl);
    expect(posts).toHaveLength(2); // refused, then sent again after the proof
    expect(JSON.parse(posts[1]!.data as string)).toEqual({ name: 'Tax export', scopes: ['read'], ipAllowList: [], expiresAt: null });

    await user.click(within(secret).getByRole('button', { name: 'Copy secret' }));
    expect(writeText).toHaveBeenCalledWith(created.secret);
    expect(await within(secret).findByText('Copied.')).toBeInTheDocument();

    const list = await screen.findByRole('list', { name: 'Your API keys' });
    expect(within(list).getByText(/never used/)).toBeInTheDocument();
    // Once dismissed, the secret is gone for good: the list never carries it.
    await user.click(within(secret).getByRole('button', { name: 'I have saved it' }));
    expect(screen.queryByText(created.secret)).not.toBeInTheDocument();
  });

  it('asks for an allow-list before a withdraw key is sent, and shows the API refusing a field', async () => {
    http.onGet(keysUrl).reply(200, []);
    http.onPost(keysUrl).reply(400, {
      title: 'One or more validation errors occurred.',
      code: 'validation_failed',
      errors: { scopes: ['The withdraw scope needs at least one saved withdrawal address: the key can send only to the address book.'] },
    });
    const user = userEvent.setup();
    renderApp('/account/security');

    const form = await screen.findByRole('form', { name: 'Create an API key' });
    await user.type(within(form).getByLabelText(/^Key name/, { selector: 'input' }), 'Treasury');
    await user.click(within(form).getByRole('checkbox', { name: 'Withdraw' }));
    await user.click(within(form).getByRole('button', { name: 'Create API key' }));
    expect(within(form).getByText('A key that can withdraw needs an IP allow-list.')).toBeInTheDocument();
    expect(http.history['post']!.filter((r) => r.url === keysUrl)).toHaveLength(0);

    await user.type(within(form).getByLabelText(/^IP allow-list/, { selector: 'input' }), '203.0.113.7, 198.51.100.0/24');
    await user.click(within(form).getByRole('button', { name: 'Create API key' }));
    expect(await within(form).findByText(/needs at least one saved withdrawal address/)).toBeInTheDocument();
    const sent = JSON.parse(http.history['post']!.find((r) => r.url === keysUrl)!.data as string);
    expect(sent).toMatchObject({ name: 'Treasury', scopes: ['read', 'trade', 'withdraw'], ipAllowList: ['203.0.113.7', '198.51.100.0/24'] });
  });

  it('lists keys with their permissions, addresses and last use, and revokes one after confirmation', async () => {
    http.onGet(keysUrl).replyOnce(200, [bot]).onGet(keysUrl).reply(200, []);
    http.onDelete(`${keysUrl}/${bot.id}`).reply(204);
    const user = userEvent.setup();
    renderApp('/account/security');

    const list = await screen.findByRole('list', { name: 'Your API keys' });
    expect(within(list).getByText('Market maker')).toBeInTheDocument();
    expect(within(list).getByText(/Read, Trade · from 203\.0\.113\.7\/32 · created .* · last used /)).toBeInTheDocument();

    await user.click(within(list).getByRole('button', { name: 'Revoke Market maker' }));
    expect(http.history['delete'] ?? []).toHaveLength(0);
    await user.click(within(list).getByRole('button', { name: 'Revoke' }));
    expect(await screen.findByText('API key “Market maker” revoked: requests signed with it are refused from now on.')).toBeInTheDocument();
    expect(http.history['delete']![0]!.url).toBe(`${keysUrl}/${bot.id}`);
    await waitFor(() => expect(screen.getByText('You have no API keys.')).toBeInTheDocument());
  });

  it('reads an allow-list separated by commas, spaces or lines', () => {
    expect(parseAllowList(' 203.0.113.7,198.51.100.0/24\n2001:db8::/32  ')).toEqual(['203.0.113.7', '198.51.100.0/24', '2001:db8::/32']);
    expect(parseAllowList('')).toEqual([]);
  });
});
