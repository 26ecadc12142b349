import type { RegistrationResponseJSON } from '@simplewebauthn/browser';
import { coinageApi } from '../../api/coinageApi';
import type { CreationCeremony } from '../auth/passkeys';

export interface Profile {
  id: string;
  email: string;
  emailVerified: boolean;
  twoFactorEnabled: boolean;
  hasAntiPhishingPhrase: boolean;
  antiPhishingPhrase: string | null;
  roles: string[];
  createdAt: string;
}

export interface TwoFactorSetup {
  secret: string;
  otpAuthUri: string;
  qrCodeDataUri: string;
}

export interface RecoveryCodes {
  recoveryCodes: string[];
}

export interface Session {
  id: string;
  device: string;
  ipAddress: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  current: boolean;
}

/** A device the user signed in from (`GET /api/v1/account/devices`); a sign-in from any other one is emailed. */
export interface KnownDevice {
  id: string;
  /** "Firefox on Linux", or a program's User-Agent. */
  label: string;
  /** `browser` (recognised by its device cookie) or `client` (a program: User-Agent and IP network). */
  kind: string;
  firstSeenAt: string;
  lastSeenAt: string;
  lastIpAddress: string | null;
}

export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  transports: string[];
  backedUp: boolean;
}

export interface RegisteredPasskey {
  passkey: Passkey;
  /** Ten codes when this passkey is the account's first second factor; shown once. */
  recoveryCodes: string[] | null;
}

export type ApiKeyScope = 'read' | 'trade' | 'withdraw';

/** An API key as listed (`GET /api/v1/account/api-keys`): never its secret. */
export interface ApiKey {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  /** CIDR blocks the key answers from; empty: any address. */
  ipAllowList: string[];
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CreateApiKey {
  name: string;
  scopes: ApiKeyScope[];
  ipAllowList: string[];
  expiresAt: string | null;
}

/** The create call's answer: the only time the secret is shown. */
export interface CreatedApiKey extends Omit<ApiKey, 'lastUsedAt'> {
  secret: string;
}

/**
 * `/api/v1/account/*`: the signed-in user's own profile, password, 2FA and sessions. Mutations
 * invalidate only on success: a refetch after a failure would swap the form the user is fixing.
 */
export const accountApi = coinageApi.injectEndpoints({
  endpoints: (build) => ({
    getProfile: build.query<Profile, void>({
      query: () => ({ url: '/api/v1/account/profile' }),
      providesTags: ['Profile'],
    }),
    setAntiPhishingPhrase: build.mutation<void, { phrase: string | null }>({
      query: (body) => ({ url: '/api/v1/account/anti-phishing-phrase', method: 'PUT', data: body }),
      invalidatesTags: (_result, error) => (error ? [] : ['Profile']),
    }),
    changePassword: build.mutation<void, { currentPassword: string; newPassword: string }>({
      query: (body) => ({ url: '/api/v1/account/password', method: 'POST', data: body }),
      invalidatesTags: (_result, error) => (error ? [] : ['Sessions']),
    }),
    setupTwoFactor: build.mutation<TwoFactorSetup, void>({
      query: () => ({ url: '/api/v1/account/2fa/setup', method: 'POST' }),
    }),
    enableTwoFactor: build.mutation<RecoveryCodes, { code: string }>({
      query: (body) => ({ url: '/api/v1/account/2fa/enable', method: 'POST', data: body }),
      invalidatesTags: (_result, error) => (error ? [] : ['Profile']),
    }),
    disableTwoFactor: build.mutation<void, { password: string; code: string }>({
      query: (body) => ({ url: '/api/v1/account/2fa/disable', method: 'POST', data: body }),
      invalidatesTags: (_result, error) => (error ? [] : ['Profile']),
    }),
    regenerateRecoveryCodes: build.mutation<RecoveryCodes, { code: string }>({
      query: (body) => ({ url: '/api/v1/account/2fa/recovery-codes', method: 'POST', data: body }),
    }),
    getPasskeys: build.query<Passkey[], void>({
      query: () => ({ url: '/api/v1/account/passkeys' }),
      providesTags: ['Passkeys'],
    }),
    passkeyRegistrationOptions: build.mutation<CreationCeremony, void>({
      query: () => ({ url: '/api/v1/account/passkeys/options', method: 'POST' }),
    }),
    registerPasskey: build.mutation<RegisteredPasskey, { ceremonyId: string; name: string; credential: RegistrationResponseJSON }>({
      query: (body) => ({ url: '/api/v1/account/passkeys', method: 'POST', data: body }),
      invalidatesTags: (_result, error) => (error ? [] : ['Passkeys']),
    }),
    renamePasskey: build.mutation<Passkey, { id: string; name: string }>({
      query: ({ id, name }) => ({ url: `/api/v1/account/passkeys/${encodeURIComponent(id)}`, method: 'PATCH', data: { name } }),
      invalidatesTags: (_result, error) => (error ? [] : ['Passkeys']),
    }),
    removePasskey: build.mutation<void, string>({
      query: (id) => ({ url: `/api/v1/account/passkeys/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: (_result, error) => (error ? [] : ['Passkeys']),
    }),
    getApiKeys: build.query<ApiKey[], void>({
      query: () => ({ url: '/api/v1/account/api-keys' }),
      providesTags: ['ApiKeys'],
    }),
    createApiKey: build.mutation<CreatedApiKey, CreateApiKey>({
      query: (body) => ({ url: '/api/v1/account/api-keys', method: 'POST', data: body }),
      invalidatesTags: (_result, error) => (error ? [] : ['ApiKeys']),
    }),
    revokeApiKey: build.mutation<void, string>({
      query: (id) => ({ url: `/api/v1/account/api-keys/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: (_result, error) => (error ? [] : ['ApiKeys']),
    }),
    getSessions: build.query<Session[], void>({
      query: () => ({ url: '/api/v1/account/sessions' }),
      providesTags: ['Sessions'],
    }),
    revokeSession: build.mutation<void, string>({
      query: (id) => ({ url: `/api/v1/account/sessions/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: (_result, error) => (error ? [] : ['Sessions']),
    }),
    getDevices: build.query<KnownDevice[], void>({
      query: () => ({ url: '/api/v1/account/devices' }),
      providesTags: ['Devices'],
    }),
    forgetDevice: build.mutation<void, string>({
      query: (id) => ({ url: `/api/v1/account/devices/${encodeURIComponent(id)}`, method: 'DELETE' }),
      invalidatesTags: (_result, error) => (error ? [] : ['Devices']),
    }),
    revokeOtherSessions: build.mutation<void, void>({
      query: () => ({ url: '/api/v1/account/sessions/revoke-others', method: 'POST' }),
      invalidatesTags: (_result, error) => (error ? [] : ['Sessions']),
    }),
  }),
});

export const {
  useGetProfileQuery,
  useSetAntiPhishingPhraseMutation,
  useChangePasswordMutation,
  useSetupTwoFactorMutation,
  useEnableTwoFactorMutation,
  useDisableTwoFactorMutation,
  useRegenerateRecoveryCodesMutation,
  useGetPasskeysQuery,
  usePasskeyRegistrationOptionsMutation,
  useRegisterPasskeyMutation,
  useRenamePasskeyMutation,
  useRemovePasskeyMutation,
  useGetApiKeysQuery,
  useCreateApiKeyMutation,
  useRevokeApiKeyMutation,
  useGetSessionsQuery,
  useRevokeSessionMutation,
  useRevokeOtherSessionsMutation,
  useGetDevicesQuery,
  useForgetDeviceMutation,
} = accountApi;
