import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { base64Url, cancelled, installFakeWebAuthn, removeFakeWebAuthn, requestOptions } from '../../test/fakeWebAuthn';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';

const someone = {
  id: '0193a000-0000-7000-8000-000000000002',
  email: 'someone@example.com',
  emailVerified: true,
  twoFactorEnabled: false,
  lockedOut: false,
  lockoutEnd: null,
  createdAt: '2026-11-20T10:00:00Z',
  roles: ['Trader'],
};
const lockUrl = `/api/v1/admin/users/${someone.id}/lock`;

function stepUpRequired(methods: string[]) {
  return {
    type: 'https://coinage.dev/problems/step_up_required',
    title: 'Confirm it is you',
    status: 403,
    detail: 'This action needs a fresh code from your authenticator (or a recovery code): confirm at POST /api/v1/account/step-up, then send the request again.',
    code: 'step_up_required',
    methods,
    maxAgeSeconds: 300,
  };
}

// Issue 21, item 8: a sensitive action answered step_up_required asks for the proof, then goes again.
describe('step-up', () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onGet('/api/v1/status').reply(200, { service: 'apiservice', database: 'ok', redis: 'ok', lastHeartbeatAt: null });
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles: ['Admin'] })));
    http.onGet('/api/v1/admin/users').reply(200, { items: [someone], nextCursor: null });
  });

  afterEach(() => {
    http.restore();
  });

  it('asks for a code, shows a wrong one refused, and sends the action again once the code is right', async () => {
    http.onPost(lockUrl).replyOnce(403, stepUpRequired(['totp', 'recovery_code'])).onPost(lockUrl).reply(204);
    http
      .onPost('/api/v1/account/step-up', { code: '111111' })
      .reply(400, { title: 'One or more validation errors occurred.', status: 400, code: 'validation_failed', errors: { code: ['The code is wrong, expired or already used.'] } })
      .onPost('/api/v1/account/step-up', { code: '222222' })
      .reply(200, { method: 'totp', freshUntil: '2026-12-06T05:05:00Z' });
    const user = userEvent.setup();
    renderApp('/admin/users');

    await user.click(await screen.findByRole('button', { name: 'Lock someone@example.com' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await user.type(within(dialog).getByLabelText(/^Authentication code/, { selector: 'input' }), '111111');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await within(dialog).findByText('The code is wrong, expired or already used.')).toBeInTheDocument();

    const code = within(dialog).getByLabelText(/^Authentication code/, { selector: 'input' });
    await user.clear(code);
    await user.type(code, '222222');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    await waitFor(() => expect(http.history['post']!.filter((r) => r.url === lockUrl)).toHaveLength(2));
    expect(http.history['post']!.filter((r) => r.url === '/api/v1/account/step-up').map((r) => JSON.parse(r.data as string))).toEqual([{ code: '111111' }, { code: '222222' }]);
    expect(screen.queryByText('Confirm it is you')).not.toBeInTheDocument();
  });

  it('offers a recovery code instead of the app', async () => {
    http.onPost(lockUrl).replyOnce(403, stepUpRequired(['totp', 'recovery_code'])).onPost(lockUrl).reply(204);
    http.onPost('/api/v1/account/step-up', { recoveryCode: 'abcde-fghij' }).reply(200, { method: 'recovery_code', freshUntil: '2026-12-06T05:05:00Z' });
    const user = userEvent.setup();
    renderApp('/admin/users');

    await user.click(await screen.findByRole('button', { name: 'Lock someone@example.com' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await user.click(within(dialog).getByRole('button', { name: 'Use a recovery code instead' }));
    await user.type(within(dialog).getByLabelText(/^Recovery code/, { selector: 'input' }), 'abcde-fghij');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    await waitFor(() => expect(http.history['post']!.filter((r) => r.url === lockUrl)).toHaveLength(2));
  });

  it('asks a user without 2FA for the password, and cancelling leaves the action refused and not sent again', async () => {
    http.onPost(lockUrl).reply(403, stepUpRequired(['password']));
    const user = userEvent.setup();
    renderApp('/admin/users');

    await user.click(await screen.findByRole('button', { name: 'Lock someone@example.com' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    expect(within(dialog).getByLabelText(/^Password/, { selector: 'input' })).toHaveAttribute('type', 'password');
    expect(within(dialog).queryByRole('button', { name: 'Use a recovery code instead' })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    expect(await screen.findByText('Confirm it is you')).toBeInTheDocument(); // the refusal, in the page's own alert
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(http.history['post']!.filter((r) => r.url === lockUrl)).toHaveLength(1);
    expect(http.history['post']!.filter((r) => r.url === '/api/v1/account/step-up')).toHaveLength(0);
  });

  describe('with a passkey', () => {
    let webauthn: ReturnType<typeof installFakeWebAuthn>;
    const optionsUrl = '/api/v1/account/step-up/passkey/options';
    const stepUpOptions = { ...requestOptions, allowCredentials: [{ type: 'public-key', id: base64Url('cred-1') }], userVerification: 'preferred' };

    beforeEach(() => {
      webauthn = installFakeWebAuthn();
    });

    afterEach(() => {
      removeFakeWebAuthn();
    });

    it('offers "Use a passkey" when the user has one, and sends the action again once the passkey is accepted', async () => {
      http.onPost(lockUrl).replyOnce(403, stepUpRequired(['passkey', 'recovery_code'])).onPost(lockUrl).reply(204);
      http.onPost(optionsUrl).reply(200, { ceremonyId: 'ceremony-1', options: stepUpOptions });
      http.onPost('/api/v1/account/step-up').reply(200, { method: 'passkey', freshUntil: '2026-12-06T05:05:00Z' });
      const user = userEvent.setup();
      renderApp('/admin/users');

      await user.click(await screen.findByRole('button', { name: 'Lock someone@example.com' }));
      const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
      // No authenticator app: a recovery code is the other way, and there is no switch to an app code.
      expect(within(dialog).getByLabelText(/^Recovery code/, { selector: 'input' })).toBeInTheDocument();
      expect(within(dialog).queryByRole('button', { name: 'Use a code from the app instead' })).not.toBeInTheDocument();
      await user.click(within(dialog).getByRole('button', { name: 'Use a passkey' }));

      await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
      await waitFor(() => expect(http.history['post']!.filter((r) => r.url === lockUrl)).toHaveLength(2));
      const publicKey = webauthn.get.mock.calls[0]![0].publicKey!;
      expect(new TextDecoder().decode(publicKey.challenge as ArrayBuffer)).toBe('request-challenge');
      expect(new TextDecoder().decode(publicKey.allowCredentials![0]!.id as ArrayBuffer)).toBe('cred-1');
      const proofs = http.history['post']!.filter((r) => r.url === '/api/v1/account/step-up').map((r) => JSON.parse(r.data as string) as Record<string, unknown>);
      expect(proofs).toHaveLength(1);
      expect(proofs[0]).toMatchObject({ passkey: { ceremonyId: 'ceremony-1', credential: { rawId: base64Url('cred-1'), response: { signature: base64Url('signature') } } } });
      expect(Object.keys(proofs[0]!)).toEqual(['passkey']);
    });

    it('says why a passkey was not used or not accepted, and a code still works', async () => {
      http.onPost(lockUrl).replyOnce(403, stepUpRequired(['passkey', 'totp', 'recovery_code'])).onPost(lockUrl).reply(204);
      http.onPost(optionsUrl).reply(200, { ceremonyId: 'ceremony-1', options: stepUpOptions });
      http
        .onPost('/api/v1/account/step-up', { code: '222222' })
        .reply(200, { method: 'totp', freshUntil: '2026-12-06T05:05:00Z' })
        .onPost('/api/v1/account/step-up')
        .reply(400, { title: 'One or more validation errors occurred.', status: 400, code: 'validation_failed', errors: { passkey: ['The passkey was refused: use one of the passkeys registered to your account.'] } });
      webauthn.get.mockRejectedValueOnce(cancelled());
      const user = userEvent.setup();
      renderApp('/admin/users');

      await user.click(await screen.findByRole('button', { name: 'Lock someone@example.com' }));
      const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
      await user.click(within(dialog).getByRole('button', { name: 'Use a passkey' }));
      expect(await within(dialog).findByText('No passkey was used')).toBeInTheDocument();
      expect(http.history['post']!.filter((r) => r.url === '/api/v1/account/step-up')).toHaveLength(0);

      await user.click(within(dialog).getByRole('button', { name: 'Use a passkey' }));
      expect(await within(dialog).findByText('The passkey was refused: use one of the passkeys registered to your account.')).toBeInTheDocument();
      expect(http.history['post']!.filter((r) => r.url === lockUrl)).toHaveLength(1);

      await user.type(within(dialog).getByLabelText(/^Authentication code/, { selector: 'input' }), '222222');
      await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
      await waitFor(() => expect(http.history['post']!.filter((r) => r.url === lockUrl)).toHaveLength(2));
    });

    it('says so when the passkey is the only way and this browser cannot use one', async () => {
      removeFakeWebAuthn();
      http.onPost(lockUrl).reply(403, stepUpRequired(['passkey']));
      const user = userEvent.setup();
      renderApp('/admin/users');

      await user.click(await screen.findByRole('button', { name: 'Lock someone@example.com' }));
      const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
      expect(within(dialog).getByText('This browser cannot use passkeys: confirm on a device that can.')).toBeInTheDocument();
      expect(within(dialog).queryByRole('button', { name: 'Use a passkey' })).not.toBeInTheDocument();
      expect(within(dialog).queryByRole('button', { name: 'Confirm' })).not.toBeInTheDocument();
      expect(within(dialog).queryByRole('textbox')).not.toBeInTheDocument();
    });
  });
});
