import { vi } from 'vitest';

const bytes = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;

/** base64url of UTF-8 text, as @simplewebauthn/browser writes ArrayBuffers to JSON. */
export const base64Url = (text: string): string => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * jsdom has no WebAuthn: this puts `PublicKeyCredential` and `navigator.credentials` in its place, so
 * `@simplewebauthn/browser` runs for real (options from JSON to buffers, the credential back to JSON)
 * and a test sees what the page asked the authenticator and what it sent to the API. `create` and `get`
 * are mocks: a test makes them answer, or refuse as the user cancelling the dialog does.
 */
export function installFakeWebAuthn() {
  class FakePublicKeyCredential {}
  vi.stubGlobal('PublicKeyCredential', FakePublicKeyCredential);
  const create = vi.fn(async (_options: CredentialCreationOptions) => ({
    id: 'cred-1',
    rawId: bytes('cred-1'),
    type: 'public-key',
    authenticatorAttachment: 'platform',
    response: {
      clientDataJSON: bytes('{"type":"webauthn.create"}'),
      attestationObject: bytes('attestation'),
      getTransports: () => ['internal'],
    },
    getClientExtensionResults: () => ({}),
  }));
  const get = vi.fn(async (_options: CredentialRequestOptions) => ({
    id: 'cred-1',
    rawId: bytes('cred-1'),
    type: 'public-key',
    authenticatorAttachment: 'platform',
    response: {
      clientDataJSON: bytes('{"type":"webauthn.get"}'),
      authenticatorData: bytes('authenticator-data'),
      signature: bytes('signature'),
      userHandle: bytes('user-handle'),
    },
    getClientExtensionResults: () => ({}),
  }));
  Object.defineProperty(navigator, 'credentials', { value: { create, get }, configurable: true });
  return { create, get };
}

export function removeFakeWebAuthn() {
  vi.unstubAllGlobals();
  Object.defineProperty(navigator, 'credentials', { value: undefined, configurable: true });
}

/** What the browser throws when the user closes the passkey dialog. */
export const cancelled = () => new DOMException('The operation either timed out or was not allowed.', 'NotAllowedError');

export const creationOptions = {
  rp: { id: 'localhost', name: 'Coinage' },
  user: { id: base64Url('user-handle'), name: 'trader@example.com', displayName: 'trader@example.com' },
  challenge: base64Url('creation-challenge'),
  pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  timeout: 300000,
  attestation: 'none',
  authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  excludeCredentials: [],
};

export const requestOptions = {
  challenge: base64Url('request-challenge'),
  timeout: 300000,
  rpId: 'localhost',
  allowCredentials: [],
  userVerification: 'required',
};
