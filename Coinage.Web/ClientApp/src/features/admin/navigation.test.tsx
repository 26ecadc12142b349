import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';

const status = { service: 'apiservice', database: 'ok', redis: 'ok', lastHeartbeatAt: null };

const users = {
  items: [
    {
      id: '0193a000-0000-7000-8000-000000000002',
      email: 'someone@example.com',
      emailVerified: true,
      twoFactorEnabled: false,
      lockedOut: false,
      lockoutEnd: null,
      createdAt: '2026-11-20T10:00:00Z',
      roles: ['Trader'],
    },
  ],
  nextCursor: null,
};

describe('navigation and staff pages', () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onGet('/api/v1/status').reply(200, status);
  });

  afterEach(() => {
    http.restore();
  });

  function signedInAs(roles: string[]) {
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles })));
  }

  function mainNav() {
    return within(screen.getAllByRole('navigation', { name: 'Main' })[0]!);
  }

  it('offers only what exists: a visitor sees Home, the markets, Sign in and Sign up', async () => {
    http.onPost('/api/v1/auth/refresh').reply(401, {});
    renderApp('/');

    expect(await mainNav().findByRole('link', { name: 'Sign in' })).toBeInTheDocument();
    expect(mainNav().getAllByRole('link').map((l) => l.textContent)).toEqual(['Home', 'Markets', 'Trade', 'Sign in', 'Sign up']);
  });

  it('shows a trader the account but no staff pages, and refuses the staff page by address', async () => {
    signedInAs(['Trader']);
    renderApp('/admin/users');

    expect(await screen.findByText('Your account does not have access to this page.')).toBeInTheDocument();
    expect(mainNav().getAllByRole('link').map((l) => l.textContent)).toEqual(['Home', 'Markets', 'Trade', 'Wallet', 'Account', 'History']);
    expect(http.history['get']!.filter((r) => r.url === '/api/v1/admin/users')).toHaveLength(0);
  });

  it('lets Support list users without the controls only Admin may use', async () => {
    signedInAs(['Support']);
    http.onGet('/api/v1/admin/users').reply(200, users);
    renderApp('/admin/users');

    expect(await screen.findByText('someone@example.com')).toBeInTheDocument();
    expect(mainNav().getAllByRole('link').map((l) => l.textContent)).toEqual(['Home', 'Markets', 'Trade', 'Wallet', 'Account', 'History', 'Users']);
    expect(screen.queryByRole('button', { name: 'Lock someone@example.com' })).not.toBeInTheDocument();
    // The shared list table, without the column of actions Support may not use.
    const grid = screen.getByRole('grid', { name: 'Users' });
    expect(within(grid).getByRole('columnheader', { name: 'Roles' })).toBeInTheDocument();
    expect(within(grid).queryByRole('columnheader', { name: 'Actions' })).not.toBeInTheDocument();
  });

  it('lets Admin search, lock and grant roles through the API', async () => {
    signedInAs(['Admin']);
    http.onGet('/api/v1/admin/users').reply(200, users);
    http.onPost(`/api/v1/admin/users/${users.items[0]!.id}/lock`).reply(204);
    http.onPut(`/api/v1/admin/users/${users.items[0]!.id}/roles/Support`).reply(204);
    const user = userEvent.setup();
    renderApp('/admin/users');

    expect(await screen.findByText('someone@example.com')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Search by email', { selector: 'input' }), 'someone');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await user.click(screen.getByRole('button', { name: 'Lock someone@example.com' }));
    const roles = screen.getByRole('group', { name: 'Roles of someone@example.com' });
    await user.click(within(roles).getByRole('checkbox', { name: 'Support' }));

    const gets = http.history['get']!.filter((r) => r.url === '/api/v1/admin/users');
    expect(gets.some((r) => (r.params as Record<string, unknown>)['search'] === 'someone')).toBe(true);
    expect(http.history['post']!.map((r) => r.url)).toContain(`/api/v1/admin/users/${users.items[0]!.id}/lock`);
    expect(http.history['put']!.map((r) => r.url)).toEqual([`/api/v1/admin/users/${users.items[0]!.id}/roles/Support`]);
    expect(mainNav().getAllByRole('link').map((l) => l.textContent)).toEqual(['Home', 'Markets', 'Trade', 'Wallet', 'Account', 'History', 'Users', 'Audit log', 'Audit search', 'Reconciliation', 'Manage markets', 'Funding']);
  });

  it('shows Compliance the audit log and the result of the chain verification', async () => {
    signedInAs(['Compliance']);
    http.onGet('/api/v1/audit').reply(200, {
      items: [
        {
          sequence: '7',
          occurredAt: '2026-11-24T07:00:00Z',
          action: 'auth.sign_in_failed',
          actorUserId: null,
          subjectUserId: null,
          ipAddress: '127.0.0.1',
          data: '{"reason":"unknown_account"}',
          hash: 'ab',
        },
      ],
      nextCursor: null,
    });
    http.onGet('/api/v1/audit/verify').reply(200, { intact: false, checkedEntries: 7, firstBrokenSequence: 5, reason: 'content_hash_mismatch' });
    const user = userEvent.setup();
    renderApp('/admin/audit');

    expect(await screen.findByText('auth.sign_in_failed')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Verify the hash chain' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The chain is broken');
    expect(alert).toHaveTextContent('At entry 5: an entry was changed after it was written');
  });
});
