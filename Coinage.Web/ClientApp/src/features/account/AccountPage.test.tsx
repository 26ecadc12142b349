import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import type { Profile, Session } from './accountApi';

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

function session(id: string, device: string, current: boolean): Session {
  return { id, device, ipAddress: '127.0.0.1', createdAt: '2026-11-20T10:00:00Z', lastSeenAt: '2026-11-24T07:00:00Z', expiresAt: '2026-12-20T10:00:00Z', current };
}

describe('account pages', () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
  });

  afterEach(() => {
    http.restore();
  });

  it('enrols an authenticator: QR code, a code, then the recovery codes', async () => {
    http.onGet('/api/v1/account/profile').replyOnce(200, profile).onGet('/api/v1/account/profile').reply(200, { ...profile, twoFactorEnabled: true });
    http.onPost('/api/v1/account/2fa/setup').reply(200, { secret: 'JBSWY3DPEHPK3PXP', otpAuthUri: 'otpauth://totp/Coinage', qrCodeDataUri: 'data:image/png;base64,iVBORw0KGgo=' });
    http
      .onPost('/api/v1/account/2fa/enable')
      .replyOnce(400, { title: 'One or more validation errors occurred.', errors: { code: ['The code is wrong, expired or already used.'] } })
      .onPost('/api/v1/account/2fa/enable')
      .reply(200, { recoveryCodes: ['aaaa-bbbb-cccc', 'dddd-eeee-ffff'] });
    const user = userEvent.setup();
    renderApp('/account/security');

    await user.click(await screen.findByRole('button', { name: 'Set up two-factor authentication' }));
    expect(await screen.findByRole('img', { name: 'QR code for your authenticator app' })).toHaveAttribute('src', 'data:image/png;base64,iVBORw0KGgo=');
    expect(screen.getByText('JBSWY3DPEHPK3PXP')).toBeInTheDocument();

    const form = screen.getByRole('form', { name: 'Enable two-factor authentication' });
    const code = within(form).getByLabelText(/^Authentication code/, { selector: 'input' });
    await user.type(code, '123456');
    await user.click(within(form).getByRole('button', { name: 'Enable' }));
    expect(await within(form).findByText('The code is wrong, expired or already used.')).toBeInTheDocument();
    expect(code).toHaveValue('123456');

    await user.clear(code);
    await user.type(code, '654321');
    await user.click(within(form).getByRole('button', { name: 'Enable' }));

    const codes = await screen.findByRole('list', { name: 'Recovery codes' });
    expect(within(codes).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['aaaa-bbbb-cccc', 'dddd-eeee-ffff']);
    expect(await screen.findByRole('button', { name: 'Turn off 2FA' })).toBeInTheDocument();
  });

  it('lists sessions by browser, system and network, revokes one, and signs out everywhere else', async () => {
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
    const chrome = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
    const safari = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
    http
      .onGet('/api/v1/account/sessions')
      .replyOnce(200, [session('s1', firefox, true), { ...session('s2', chrome, false), ipAddress: '203.0.113.7' }, session('s3', safari, false)])
      .onGet('/api/v1/account/sessions')
      .replyOnce(200, [session('s1', firefox, true), session('s3', safari, false)])
      .onGet('/api/v1/account/sessions')
      .reply(200, [session('s1', firefox, true)]);
    http.onDelete('/api/v1/account/sessions/s2').reply(204);
    http.onPost('/api/v1/account/sessions/revoke-others').reply(204);
    const user = userEvent.setup();
    renderApp('/account/sessions');

    const list = await screen.findByRole('list', { name: 'Active sessions' });
    expect(within(list).getByText('This device')).toBeInTheDocument();
    expect(within(list).getByText('Firefox 133 on Linux')).toBeInTheDocument();
    // The parsed words, never the raw User-Agent.
    expect(within(list).queryByText(/Mozilla/)).not.toBeInTheDocument();
    const chromeItem = within(list).getByText('Chrome 131 on Android 14').closest('li')!;
    expect(chromeItem).toHaveTextContent('mobile');
    expect(chromeItem).toHaveTextContent('network 203.0.113.7');
    await user.click(within(list).getByRole('button', { name: 'Sign out Chrome 131 on Android 14' }));
    expect(await screen.findByText('The session is signed out.')).toBeInTheDocument();
    await within(list).findByText('Mobile Safari 17 on iOS 17.5');
    expect(within(list).queryByText('Chrome 131 on Android 14')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Sign out everywhere else' }));
    expect(await screen.findByText('Every other session is signed out.')).toBeInTheDocument();
    await within(list).findByText('This device');
    await waitFor(() => expect(within(list).queryByText('Mobile Safari 17 on iOS 17.5')).not.toBeInTheDocument());
    expect(screen.getByRole('button', { name: 'Sign out everywhere else' })).toBeDisabled();
    expect(http.history['delete']!.map((r) => r.url)).toEqual(['/api/v1/account/sessions/s2']);
    expect(http.history['post']!.map((r) => r.url)).toContain('/api/v1/account/sessions/revoke-others');
  });

  // Issue 21, item 9a: the devices the account signed in from, each with first and last sign-in, and forgetting one.
  it('lists the known devices and forgets one', async () => {
    http.onGet('/api/v1/account/sessions').reply(200, [session('s1', 'Firefox/140', true)]);
    const devices = [
      { id: 'd1', label: 'Firefox on Linux', kind: 'browser', firstSeenAt: '2026-11-20T10:00:00Z', lastSeenAt: '2026-12-06T04:00:00Z', lastIpAddress: '203.0.113.7' },
      { id: 'd2', label: 'coinage-bot/1.0', kind: 'client', firstSeenAt: '2026-11-21T10:00:00Z', lastSeenAt: '2026-11-22T10:00:00Z', lastIpAddress: null },
    ];
    http.onGet('/api/v1/account/devices').replyOnce(200, devices).onGet('/api/v1/account/devices').reply(200, devices.slice(0, 1));
    http.onDelete('/api/v1/account/devices/d2').reply(204);
    const user = userEvent.setup();
    renderApp('/account/sessions');

    const list = await screen.findByRole('list', { name: 'Known devices' });
    expect(within(list).getByText('Firefox on Linux')).toBeInTheDocument();
    expect(within(list).getByText('coinage-bot/1.0 (program)')).toBeInTheDocument();
    expect(within(list).getByText(/^203\.0\.113\.7 · first seen .+ · last sign-in .+$/)).toBeInTheDocument();
    await user.click(within(list).getByRole('button', { name: 'Forget coinage-bot/1.0' }));

    expect(await screen.findByText('The device is forgotten: its next sign-in will be emailed to you as new.')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByText('coinage-bot/1.0 (program)')).not.toBeInTheDocument());
    expect(http.history['delete']!.map((r) => r.url)).toEqual(['/api/v1/account/devices/d2']);
  });
});
