import {
  browserSupportsWebAuthn,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  startAuthentication,
  startRegistration,
  WebAuthnError,
} from '@simplewebauthn/browser';
import type { FormProblem } from '../../forms/useForm';

/**
 * The browser's half of a passkey ceremony. The API answers WebAuthn options as JSON (binary fields in
 * base64url) with a one-time `ceremonyId`; `@simplewebauthn/browser` turns them into the
 * `navigator.credentials` call and the credential back into JSON, which goes to the API as it is.
 */
export interface PasskeyCeremony<TOptions> {
  ceremonyId: string;
  options: TOptions;
}

export type CreationCeremony = PasskeyCeremony<PublicKeyCredentialCreationOptionsJSON>;
export type RequestCeremony = PasskeyCeremony<PublicKeyCredentialRequestOptionsJSON>;
export type PasskeyCredential = RegistrationResponseJSON | AuthenticationResponseJSON;

export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

export function createPasskey(ceremony: CreationCeremony): Promise<RegistrationResponseJSON> {
  return startRegistration({ optionsJSON: ceremony.options });
}

export function requestPasskey(ceremony: RequestCeremony): Promise<AuthenticationResponseJSON> {
  return startAuthentication({ optionsJSON: ceremony.options });
}

/**
 * What the browser's refusal means to the user. Cancelling the dialog (or letting it time out) is a
 * `NotAllowedError` with nothing more to say; the rest name the reason.
 */
export function describePasskeyError(error: unknown): FormProblem {
  const name = error instanceof Error ? (error.cause instanceof Error ? error.cause.name : error.name) : '';
  if (error instanceof WebAuthnError && error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
    return { title: 'This passkey is already registered', detail: 'The authenticator already holds a passkey for your account.' };
  }
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return { title: 'No passkey was used', detail: 'The request was cancelled or timed out. Try again when you are ready.' };
  }
  return { title: 'The passkey could not be used', detail: error instanceof Error ? error.message : undefined };
}
