import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { base64Url, cancelled, creationOptions, installFakeWebAuthn, removeFakeWebAuthn } from '../../test/fakeWebAuthn';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import type { Passkey, Profile } from './accountApi';

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

const laptop: Passkey = { id: 'p1', name: 'Laptop', createdAt: '2026-11-20T10:00:00Z', lastUsedAt: '2026-11-24T07:00:00Z', transports: ['internal'], backedUp: false };
const phone: Passkey = { id: 'p2', name: 'Phone', createdAt: '2026-11-21T10:00:00Z', lastUsedAt: null, transports: ['hybrid'], backedUp: true };

describe('account passkeys', () => {
  let http: MockAdapter;
  let webauthn: ReturnType<typeof installFakeWebAuthn>;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/account/profile').reply(200, profile);
    webauthn = installFakeWebAuthn();
  });

  afterEach(() => {
    http.restore();
    removeFakeWebAuthn();
  });

  it('adds a named passkey through the browser and shows the recovery codes of the first one', async () => {
    http.onGet('/api/v1/account/passkeys').replyOnce(200, []).onGet('/api/v1/account/passkeys').reply(200, [laptop]);
    http.onPost('/api/v1/account/passkeys/options').reply(200, { ceremonyId: 'ceremony-1', options: creationOptions });
    http.onPost('/api/v1/account/passkeys').reply(201, { passkey: laptop, recoveryCodes: ['aaaaa-bbbbb', 'ccccc-ddddd'] });
    const user = userEvent.setup();
    renderApp('/account/security');

    expect(await screen.findByText('You have no passkeys yet.')).toBeInTheDocument();
    const form = screen.getByRole('form', { name: 'Add a passkey' });
    const name = within(form).getByLabelText(/^Passkey name/, { selector: 'input' });
    await user.clear(name);
    await user.click(within(form).getByRole('button', { name: 'Add a passkey' }));
    expect(name).toHaveAccessibleDescription('Give the passkey a name, such as the device it is on.');
    expect(webauthn.create).not.toHaveBeenCalled();
    await user.type(name, 'Laptop');
    await user.click(within(form).getByRole('button', { name: 'Add a passkey' }));

    expect(await screen.findByText('Passkey “Laptop” added.')).toBeInTheDocument();
    // The browser got the API's options with the binary fields decoded…
    const publicKey = webauthn.create.mock.calls[0]![0].publicKey!;
    expect(new TextDecoder().decode(publicKey.challenge as ArrayBuffer)).toBe('creation-challenge');
    expect(new TextDecoder().decode(publicKey.user.id as ArrayBuffer)).toBe('user-handle');
    expect(publicKey.authenticatorSelection).toEqual({ residentKey: 'required', userVerification: 'required' });
    // …and the API got the credential back in base64url, with the ceremony and the name.
    const sent = JSON.parse(http.history['post']!.find((r) => r.url === '/api/v1/account/passkeys')!.data as string);
    expect(sent).toMatchObject({
      ceremonyId: 'ceremony-1',
      name: 'Laptop',
      credential: { id: 'cred-1', rawId: base64Url('cred-1'), type: 'public-key', response: { attestationObject: base64Url('attestation'), transports: ['internal'] } },
    });
    const codes = screen.getByRole('list', { name: 'Recovery codes' });
    expect(within(codes).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['aaaaa-bbbbb', 'ccccc-ddddd']);
    expect(within(await screen.findByRole('list', { name: 'Your passkeys' })).getByText('Laptop')).toBeInTheDocument();
  });

  it('says so when the dialog is cancelled, and shows the API refusing a name', async () => {
    http.onGet('/api/v1/account/passkeys').reply(200, [laptop]);
    http.onPost('/api/v1/account/passkeys/options').reply(200, { ceremonyId: 'ceremony-1', options: creationOptions });
    http.onPost('/api/v1/account/passkeys').reply(400, { title: 'One or more validation errors occurred.', code: 'validation_failed', errors: { name: ['Another of your passkeys has this name.'] } });
    webauthn.create.mockRejectedValueOnce(cancelled());
    const user = userEvent.setup();
    renderApp('/account/security');

    const form = await screen.findByRole('form', { name: 'Add a passkey' });
    const name = within(form).getByLabelText(/^Passkey name/, { selector: 'input' });
    await user.type(name, 'Laptop');
    await user.click(within(form).getByRole('button', { name: 'Add a passkey' }));
    expect(await within(form).findByText('No passkey was used')).toBeInTheDocument();
    expect(http.history['post']!.some((r) => r.url === '/api/v1/account/passkeys')).toBe(false);

    await user.click(within(form).getByRole('button', { name: 'Add a passkey' }));
    expect(await within(form).findByText('Another of your passkeys has this name.')).toBeInTheDocument();
    expect(name).toHaveValue('Laptop');
  });

  it('lists passkeys with their last use, renames one and removes one after confirmation', async () => {
    http
      .onGet('/api/v1/account/passkeys')
      .replyOnce(200, [laptop, phone])
      .onGet('/api/v1/account/passkeys')
      .replyOnce(200, [laptop, { ...phone, name: 'Work phone' }])
      .onGet('/api/v1/account/passkeys')
      .reply(200, [{ ...phone, name: 'Work phone' }]);
    http.onPatch('/api/v1/account/passkeys/p2').reply(200, { ...phone, name: 'Work phone' });
    http.onDelete('/api/v1/account/passkeys/p1').reply(204);
    const user = userEvent.setup();
    renderApp('/account/security');

    const list = await screen.findByRole('list', { name: 'Your passkeys' });
    expect(within(list).getByText(/last used/)).toBeInTheDocument();
    expect(within(list).getByText(/never used · synced/)).toBeInTheDocument();

    await user.click(within(list).getByRole('button', { name: 'Rename Phone' }));
    const rename = screen.getByRole('form', { name: 'Rename Phone' });
    const field = within(rename).getByLabelText(/^New name/, { selector: 'input' });
    await user.clear(field);
    await user.type(field, 'Work phone');
    await user.click(within(rename).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Passkey renamed to “Work phone”.')).toBeInTheDocument();
    expect(JSON.parse(http.history['patch']![0]!.data as string)).toEqual({ name: 'Work phone' });

    await user.click(within(list).getByRole('button', { name: 'Remove Laptop' }));
    expect(http.history['delete']).toHaveLength(0);
    await user.click(within(list).getByRole('button', { name: 'Remove' }));
    expect(await screen.findByText('Passkey “Laptop” removed. It no longer signs in to your account.')).toBeInTheDocument();
    expect(http.history['delete']![0]!.url).toBe('/api/v1/account/passkeys/p1');
    // The list refetches after the removal's answer: it may still be on its way when the message shows.
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Your passkeys' })).queryByText('Laptop')).not.toBeInTheDocument());
  });
});
