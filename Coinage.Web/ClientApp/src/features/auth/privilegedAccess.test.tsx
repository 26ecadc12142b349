import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { loadPasswordEstimator } from '../../forms/passwordStrength';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';

const profile = {
  id: '0193a000-0000-7000-8000-000000000001',
  email: 'admin@coinage.local',
  emailVerified: true,
  twoFactorEnabled: false,
  hasAntiPhishingPhrase: false,
  antiPhishingPhrase: null,
  roles: ['Admin'],
  createdAt: '2026-11-20T10:00:00Z',
};

// Issue 21, item 2: the bootstrap administrator replaces the generated password, then sets up 2FA.
describe('privileged access', () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onGet('/api/v1/status').reply(200, { service: 'apiservice', database: 'ok', redis: 'ok', lastHeartbeatAt: null });
    http.onGet('/api/v1/account/profile').reply(200, profile);
  });

  afterEach(() => {
    http.restore();
  });

  it('shows only the password change while the password must be replaced, then the page asked for', async () => {
    await loadPasswordEstimator();
    const mustChange = makeAccessToken({ roles: ['Admin'], amr: ['pwd'], passwordChangeRequired: true });
    const changed = makeAccessToken({ roles: ['Admin'], amr: ['pwd'] });
    http.onPost('/api/v1/auth/refresh').replyOnce(200, tokenResponse(mustChange)).onPost('/api/v1/auth/refresh').reply(200, tokenResponse(changed));
    http.onPost('/api/v1/account/password').reply(204);
    const user = userEvent.setup();
    renderApp('/admin/users');

    expect(await screen.findByRole('heading', { name: 'Choose your own password' })).toBeInTheDocument();
    expect(http.history['get']!.filter((r) => r.url === '/api/v1/admin/users')).toHaveLength(0);
    // Pasted: every keystroke runs the estimator, and a busy CI machine has better things to do.
    await user.click(screen.getByLabelText(/^Current password/, { selector: 'input' }));
    await user.paste('generated-bootstrap-secret');
    const next = screen.getByLabelText(/^New password/, { selector: 'input' });
    await user.click(next);
    await user.paste('qwertyuiop[]');
    expect(next).toHaveAccessibleDescription('Too easy to guess. Straight rows of keys on your keyboard are easy to guess.');
    await user.clear(next);
    await user.paste('an administrator of my own 2026');
    await user.click(screen.getByLabelText(/^Repeat the new password/, { selector: 'input' }));
    await user.paste('an administrator of my own 2026');
    await user.click(screen.getByRole('button', { name: 'Change password' }));

    // Refreshed: the token no longer says pwd_change, and the staff page asks for 2FA (amr has no second factor).
    expect(await screen.findByText('Two-factor authentication required')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Set up 2FA' })).toHaveAttribute('href', '/account/security');
    expect(JSON.parse(http.history['post']!.find((r) => r.url === '/api/v1/account/password')!.data as string)).toEqual({
      currentPassword: 'generated-bootstrap-secret',
      newPassword: 'an administrator of my own 2026',
    });
  });

  it('leads a staff member whose session has no second factor to 2FA set-up instead of calling the API', async () => {
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles: ['Support'], amr: ['pwd'] })));
    renderApp('/admin/users');

    expect(await screen.findByText('Two-factor authentication required')).toBeInTheDocument();
    await waitFor(() => expect(http.history['get']!.filter((r) => r.url === '/api/v1/admin/users')).toHaveLength(0));
  });

  it('turns the API refusal second_factor_required into the same guidance', async () => {
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles: ['Support'] })));
    http.onGet('/api/v1/admin/users').reply(
      403,
      { title: 'Two-factor authentication required', detail: 'Your role needs two-factor authentication.', status: 403, code: 'second_factor_required' },
      { 'content-type': 'application/problem+json' },
    );
    renderApp('/admin/users');

    expect(await screen.findByText('Your role needs two-factor authentication.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Set up 2FA' })).toHaveAttribute('href', '/account/security');
  });
});
