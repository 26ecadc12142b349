import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { sessionEndedNotice } from './authSlice';

const challenge = {
  twoFactorRequired: true,
  code: 'two_factor_required',
  challengeToken: 'challenge-token-from-the-api',
  accessToken: null,
  tokenType: null,
  expiresIn: null,
  refreshToken: null,
  sessionId: null,
};

const profile = {
  id: '0193a000-0000-7000-8000-000000000001',
  email: 'trader@example.com',
  emailVerified: true,
  twoFactorEnabled: true,
  hasAntiPhishingPhrase: false,
  antiPhishingPhrase: null,
  roles: ['Trader'],
  createdAt: '2026-11-01T10:00:00Z',
};

function bodyOf(url: string, index = 0): Record<string, unknown> {
  const request = http.history['post']!.filter((r) => r.url === url)[index]!;
  return JSON.parse(request.data as string) as Record<string, unknown>;
}

let http: MockAdapter;

describe('sign-in', () => {
  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(401, { title: 'Invalid refresh token', code: 'invalid_refresh_token' });
    http.onGet('/api/v1/account/profile').reply(200, profile);
  });

  afterEach(() => {
    http.restore();
  });

  async function passPasswordStep() {
    const user = userEvent.setup();
    const result = renderApp('/sign-in');
    await screen.findByRole('form', { name: 'Sign in' });
    await user.type(screen.getByLabelText(/^Email/, { selector: 'input' }), 'trader@example.com');
    await user.type(screen.getByLabelText(/^Password/, { selector: 'input' }), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('form', { name: 'Two-factor authentication' });
    return { user, ...result };
  }

  it('asks for the second factor, shows a wrong code in the API\'s words, then signs in and lands on the home page', async () => {
    const token = makeAccessToken();
    http.onPost('/api/v1/auth/login').reply(200, challenge);
    http
      .onPost('/api/v1/auth/login/2fa')
      .replyOnce(401, { title: 'Invalid code', detail: 'The code is wrong, expired or already used.', code: 'invalid_two_factor_code' })
      .onPost('/api/v1/auth/login/2fa')
      .reply(200, tokenResponse(token));

    const { user, store } = await passPasswordStep();
    expect(bodyOf('/api/v1/auth/login')).toEqual({ email: 'trader@example.com', password: 'correct horse battery', useCookie: true });
    expect(store.getState().auth.status).toBe('signedOut');

    const code = screen.getByLabelText(/^Authentication code/, { selector: 'input' });
    await user.type(code, '12345');
    expect(code).toHaveAccessibleDescription('Not a valid code.');
    await user.type(code, '6');
    await user.click(screen.getByRole('button', { name: 'Verify' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Invalid code');
    expect(alert).toHaveTextContent('The code is wrong, expired or already used.');
    expect(code).toHaveValue('123456');
    expect(bodyOf('/api/v1/auth/login/2fa')).toEqual({ challengeToken: 'challenge-token-from-the-api', code: '123456' });

    await user.clear(code);
    await user.type(code, '654 321');
    await user.click(screen.getByRole('button', { name: 'Verify' }));

    // Sign-in lands on the home page, which is the trader's portfolio.
    expect(await screen.findByRole('heading', { name: 'Portfolio', level: 1 })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/');
    expect(bodyOf('/api/v1/auth/login/2fa', 1)).toEqual({ challengeToken: 'challenge-token-from-the-api', code: '654321' });
    expect(store.getState().auth).toMatchObject({ status: 'signedIn', accessToken: token });
  });

  it('accepts a recovery code instead of a TOTP code', async () => {
    http.onPost('/api/v1/auth/login').reply(200, challenge);
    http.onPost('/api/v1/auth/login/2fa').reply(200, tokenResponse(makeAccessToken()));

    const { user, store } = await passPasswordStep();
    await user.click(screen.getByRole('button', { name: 'Use a recovery code' }));
    await user.type(screen.getByLabelText(/^Recovery code/, { selector: 'input' }), 'abcd-efgh-ijkl');
    await user.click(screen.getByRole('button', { name: 'Verify' }));

    expect(await screen.findByRole('heading', { name: 'Portfolio', level: 1 })).toBeInTheDocument();
    expect(bodyOf('/api/v1/auth/login/2fa')).toEqual({ challengeToken: 'challenge-token-from-the-api', recoveryCode: 'abcd-efgh-ijkl' });
    expect(store.getState().auth.status).toBe('signedIn');
  });

  it('shows a wrong password on the form without any refresh attempt', async () => {
    http.onPost('/api/v1/auth/login').reply(401, { title: 'Invalid email or password', code: 'invalid_credentials' });
    const user = userEvent.setup();
    renderApp('/sign-in');
    await screen.findByRole('form', { name: 'Sign in' });
    await user.type(screen.getByLabelText(/^Email/, { selector: 'input' }), 'trader@example.com');
    await user.type(screen.getByLabelText(/^Password/, { selector: 'input' }), 'not the password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid email or password');
    expect(screen.getByLabelText(/^Email/, { selector: 'input' })).toHaveValue('trader@example.com');
    expect(http.history['post']!.filter((r) => r.url === '/api/v1/auth/refresh')).toHaveLength(1); // the one on load
  });

  it('sends the user to sign-in, saying why, when a 401 cannot be cured by a refresh', async () => {
    http.resetHandlers();
    http
      .onPost('/api/v1/auth/refresh')
      .replyOnce(200, tokenResponse(makeAccessToken()))
      .onPost('/api/v1/auth/refresh')
      .reply(401, { title: 'Refresh token reused', code: 'refresh_token_reused' });
    // The session was revoked elsewhere: the access token is refused.
    http.onGet('/api/v1/account/sessions').reply(401, {});

    const { store } = renderApp('/account/sessions');

    expect(await screen.findByText(sessionEndedNotice)).toBeInTheDocument();
    expect(window.location.pathname).toBe('/sign-in');
    expect(screen.getByRole('form', { name: 'Sign in' })).toBeInTheDocument();
    expect(store.getState().auth).toMatchObject({ status: 'signedOut', accessToken: null });
    expect(http.history['post']!.filter((r) => r.url === '/api/v1/auth/refresh')).toHaveLength(2);

    // Signing in again returns to the page the user was on.
    http.onPost('/api/v1/auth/login').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/account/sessions').reply(200, []);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/^Email/, { selector: 'input' }), 'trader@example.com');
    await user.type(screen.getByLabelText(/^Password/, { selector: 'input' }), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('No active sessions.')).toBeInTheDocument();
    expect(window.location.pathname).toBe('/account/sessions');
  });
});
