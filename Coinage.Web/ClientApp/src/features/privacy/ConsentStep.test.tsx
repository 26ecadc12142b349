import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';

const consents = {
  items: [
    { purpose: 'terms', currentVersion: '2027-01-01', required: true, granted: false, acceptedVersion: '2026-11-01', recordedAt: '2026-11-01T10:00:00Z' },
    { purpose: 'privacy', currentVersion: '2026-11-01', required: true, granted: true, acceptedVersion: '2026-11-01', recordedAt: '2026-11-01T10:00:00Z' },
  ],
  acceptanceRequired: true,
};

let http: MockAdapter;

describe('sign-in with new terms', () => {
  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(401, { title: 'Invalid refresh token', code: 'invalid_refresh_token' });
    http.onGet('/api/v1/account/profile').reply(200, { id: 'u', email: 'trader@example.com', emailVerified: true, twoFactorEnabled: false, hasAntiPhishingPhrase: false, antiPhishingPhrase: null, roles: ['Trader'], createdAt: '2026-11-01T10:00:00Z' });
    http.onGet('/api/v1/privacy/consents').reply(200, consents);
    http.onGet('/api/v1/auth/legal').reply(200, { termsVersion: '2027-01-01', privacyVersion: '2026-11-01', termsUrl: 'https://coinage.example/legal/terms-2027-01-01', privacyUrl: null });
  });

  afterEach(() => {
    http.restore();
  });

  it('shows the new terms, records the acceptance with the new token, and only then signs in', async () => {
    const token = makeAccessToken();
    http.onPost('/api/v1/auth/login').reply(200, {
      ...tokenResponse(token),
      code: 'consent_required',
      consentRequired: [{ purpose: 'terms', version: '2027-01-01' }],
    });
    http.onPost('/api/v1/privacy/consents/accept').reply(200, { ...consents, acceptanceRequired: false });
    const user = userEvent.setup();
    const { store } = renderApp('/sign-in');
    await screen.findByRole('form', { name: 'Sign in' });
    await user.type(screen.getByLabelText(/^Email/, { selector: 'input' }), 'trader@example.com');
    await user.type(screen.getByLabelText(/^Password/, { selector: 'input' }), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'We updated our terms' })).toBeInTheDocument();
    // The new version is linked where the user is asked to accept it.
    expect(await screen.findByRole('link', { name: 'terms of service (opens in a new tab)' })).toHaveAttribute('href', 'https://coinage.example/legal/terms-2027-01-01');
    expect(screen.getByText((_, element) => element?.tagName === 'P' && element.textContent === 'The terms of service (opens in a new tab), version 2027-01-01')).toBeInTheDocument();
    expect(store.getState().auth.status).toBe('signedOut');
    const accept = screen.getByRole('button', { name: 'Accept and continue' });
    expect(accept).toBeDisabled();
    await user.click(screen.getByRole('checkbox', { name: /I accept the updated terms of service/ }));
    await user.click(accept);

    await waitFor(() => expect(store.getState().auth.status).toBe('signedIn'));
    const posted = http.history['post']!.find((r) => r.url === '/api/v1/privacy/consents/accept')!;
    expect(JSON.parse(posted.data as string)).toEqual({ termsVersion: '2027-01-01', privacyVersion: '2026-11-01' });
    expect(posted.headers?.['Authorization']).toBe(`Bearer ${token}`);
    expect(store.getState().auth).toMatchObject({ status: 'signedIn', accessToken: token });
  }, 60_000);
});
