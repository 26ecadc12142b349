import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import type { Profile } from './accountApi';
import { dismissedStorageKey } from './TwoFactorBanner';

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

const banner = () => screen.queryByRole('region', { name: 'Two-factor authentication' });

describe('the 2FA prompt', () => {
  let http: MockAdapter;

  beforeEach(() => {
    window.sessionStorage.clear();
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/markets').reply(200, []);
    http.onGet('/api/v1/markets/tickers').reply(200, []);
  });

  afterEach(() => http.restore());

  it('asks a trader without 2FA to turn it on, on every page, until dismissed for this session', async () => {
    http.onGet('/api/v1/account/profile').reply(200, profile);
    const user = userEvent.setup();
    const { unmount } = renderApp('/markets');

    const prompt = await screen.findByRole('region', { name: 'Two-factor authentication' });
    expect(within(prompt).getByRole('link', { name: 'Turn on 2FA' })).toHaveAttribute('href', '/account/security');

    // Not on the page where the setup is: the form is the prompt there.
    await user.click(within(prompt).getByRole('link', { name: 'Turn on 2FA' }));
    expect(await screen.findByRole('button', { name: 'Set up two-factor authentication' })).toBeInTheDocument();
    expect(banner()).not.toBeInTheDocument();

    await user.click(within(screen.getAllByRole('navigation', { name: 'Main' })[0]!).getByRole('link', { name: 'Markets' }));
    await user.click(await within(await screen.findByRole('region', { name: 'Two-factor authentication' })).findByRole('button', { name: 'Not now' }));
    expect(banner()).not.toBeInTheDocument();
    expect(window.sessionStorage.getItem(dismissedStorageKey)).toBe('1');
    unmount();

    // A reload in the same browser session keeps it dismissed.
    renderApp('/markets');
    await screen.findByRole('heading', { name: 'Markets' });
    await waitFor(() => expect(http.history['get']!.filter((r) => r.url === '/api/v1/account/profile').length).toBeGreaterThan(0));
    expect(banner()).not.toBeInTheDocument();
  });

  it('is not shown once 2FA is on', async () => {
    http.onGet('/api/v1/account/profile').reply(200, { ...profile, twoFactorEnabled: true });
    renderApp('/markets');
    await screen.findByRole('heading', { name: 'Markets' });
    await waitFor(() => expect(http.history['get']!.some((r) => r.url === '/api/v1/account/profile')).toBe(true));
    expect(banner()).not.toBeInTheDocument();
  });

  it('is not shown to a visitor, who has no account to protect', async () => {
    http.onPost('/api/v1/auth/refresh').reply(401, {});
    renderApp('/markets');
    await screen.findByRole('heading', { name: 'Markets' });
    expect(banner()).not.toBeInTheDocument();
    expect(http.history['get']!.some((r) => r.url === '/api/v1/account/profile')).toBe(false);
  });
});
