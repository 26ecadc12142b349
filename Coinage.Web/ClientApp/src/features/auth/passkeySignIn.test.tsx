import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { base64Url, cancelled, installFakeWebAuthn, removeFakeWebAuthn, requestOptions } from '../../test/fakeWebAuthn';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';

const profile = {
  id: '0193a000-0000-7000-8000-000000000001',
  email: 'trader@example.com',
  emailVerified: true,
  twoFactorEnabled: false,
  hasAntiPhishingPhrase: false,
  antiPhishingPhrase: null,
  roles: ['Trader'],
  createdAt: '2026-11-01T10:00:00Z',
};

function challenge(twoFactorMethods: string[]) {
  return {
    twoFactorRequired: true,
    code: 'two_factor_required',
    challengeToken: 'challenge-token-from-the-api',
    accessToken: null,
    tokenType: null,
    expiresIn: null,
    refreshToken: null,
    sessionId: null,
    twoFactorMethods,
  };
}

let http: MockAdapter;

function bodyOf(url: string): Record<string, unknown> {
  return JSON.parse(http.history['post']!.find((r) => r.url === url)!.data as string) as Record<string, unknown>;
}

describe('passkey sign-in', () => {
  let webauthn: ReturnType<typeof installFakeWebAuthn>;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(401, { title: 'Invalid refresh token', code: 'invalid_refresh_token' });
    http.onGet('/api/v1/account/profile').reply(200, profile);
    webauthn = installFakeWebAuthn();
  });

  afterEach(() => {
    http.restore();
    removeFakeWebAuthn();
  });

  it('signs in with a passkey, without email or password', async () => {
    http.onPost('/api/v1/auth/passkey/options').reply(200, { ceremonyId: 'ceremony-1', options: requestOptions });
    http.onPost('/api/v1/auth/passkey/login').reply(200, tokenResponse(makeAccessToken({ amr: ['hwk'] })));
    const user = userEvent.setup();
    const { store } = renderApp('/sign-in');

    await user.click(await screen.findByRole('button', { name: 'Sign in with a passkey' }));

    await waitFor(() => expect(store.getState().auth.status).toBe('signedIn'));
    const publicKey = webauthn.get.mock.calls[0]![0].publicKey!;
    expect(new TextDecoder().decode(publicKey.challenge as ArrayBuffer)).toBe('request-challenge');
    expect(publicKey.userVerification).toBe('required');
    expect(bodyOf('/api/v1/auth/passkey/login')).toMatchObject({
      ceremonyId: 'ceremony-1',
      useCookie: true,
      credential: { rawId: base64Url('cred-1'), response: { signature: base64Url('signature'), userHandle: base64Url('user-handle') } },
    });
    expect(http.history['post']!.some((r) => r.url === '/api/v1/auth/login')).toBe(false);
  });

  it('shows a cancelled dialog and a refused passkey in words, and stays on the sign-in form', async () => {
    http.onPost('/api/v1/auth/passkey/options').reply(200, { ceremonyId: 'ceremony-1', options: requestOptions });
    http.onPost('/api/v1/auth/passkey/login').reply(401, { title: 'The passkey was refused', detail: 'Try again, or sign in with your password.', code: 'passkey_refused' });
    webauthn.get.mockRejectedValueOnce(cancelled());
    const user = userEvent.setup();
    const { store } = renderApp('/sign-in');

    await user.click(await screen.findByRole('button', { name: 'Sign in with a passkey' }));
    expect(await screen.findByText('No passkey was used')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Sign in with a passkey' }));
    expect(await screen.findByText('The passkey was refused')).toBeInTheDocument();
    expect(screen.getByRole('form', { name: 'Sign in' })).toBeInTheDocument();
    expect(store.getState().auth.status).toBe('signedOut');
  });

  it('offers "Use a passkey" at the 2FA step of a user who has one, and completes the step with it', async () => {
    http.onPost('/api/v1/auth/login').reply(200, challenge(['passkey', 'recovery_code']));
    http.onPost('/api/v1/auth/login/2fa/passkey/options').reply(200, { ceremonyId: 'ceremony-2', options: { ...requestOptions, allowCredentials: [{ type: 'public-key', id: base64Url('cred-1') }], userVerification: 'preferred' } });
    http.onPost('/api/v1/auth/login/2fa').reply(200, tokenResponse(makeAccessToken({ amr: ['pwd', 'hwk'] })));
    const user = userEvent.setup();
    const { store } = renderApp('/sign-in');
    await screen.findByRole('form', { name: 'Sign in' });
    await user.type(screen.getByLabelText(/^Email/, { selector: 'input' }), 'trader@example.com');
    await user.type(screen.getByLabelText(/^Password/, { selector: 'input' }), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('form', { name: 'Two-factor authentication' });

    // No authenticator app: the code field takes a recovery code, and there is no switch to an app code.
    expect(screen.getByLabelText(/^Recovery code/, { selector: 'input' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Use an authenticator code' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Use a passkey' }));

    await waitFor(() => expect(store.getState().auth.status).toBe('signedIn'));
    expect(bodyOf('/api/v1/auth/login/2fa/passkey/options')).toEqual({ challengeToken: 'challenge-token-from-the-api' });
    const publicKey = webauthn.get.mock.calls[0]![0].publicKey!;
    expect(new TextDecoder().decode(publicKey.allowCredentials![0]!.id as ArrayBuffer)).toBe('cred-1');
    expect(bodyOf('/api/v1/auth/login/2fa')).toMatchObject({
      challengeToken: 'challenge-token-from-the-api',
      passkey: { ceremonyId: 'ceremony-2', credential: { rawId: base64Url('cred-1') } },
    });
  });

  it('keeps the 2FA step as it was for a user with an authenticator app and no passkey', async () => {
    http.onPost('/api/v1/auth/login').reply(200, challenge(['totp', 'recovery_code']));
    const user = userEvent.setup();
    renderApp('/sign-in');
    await screen.findByRole('form', { name: 'Sign in' });
    await user.type(screen.getByLabelText(/^Email/, { selector: 'input' }), 'trader@example.com');
    await user.type(screen.getByLabelText(/^Password/, { selector: 'input' }), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('form', { name: 'Two-factor authentication' });
    expect(screen.getByLabelText(/^Authentication code/, { selector: 'input' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Use a passkey' })).not.toBeInTheDocument();
  });
});
