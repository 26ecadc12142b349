import { coinageApi } from '../../api/coinageApi';
import type { AuthenticationResponseJSON } from '@simplewebauthn/browser';
import type { RequestCeremony } from './passkeys';
import type { TokenResponse } from './session';

/**
 * The current versions of the terms and privacy policy, from the API (Coinage:Identity:TermsVersion
 * / PrivacyVersion). Sign-up shows and submits them; the API rejects any other version with a
 * `termsVersion` / `privacyVersion` field error.
 */
export interface LegalDocuments {
  termsVersion: string;
  privacyVersion: string;
  /** Where the operator publishes them; null when not configured (the forms then name them without a link). */
  termsUrl?: string | null;
  privacyUrl?: string | null;
}

export interface RegisterRequest {
  email: string;
  password: string;
  acceptTerms: boolean;
  termsVersion: string;
  privacyVersion: string;
  marketingConsent: boolean;
}

export interface RegisterResponse {
  message: string;
  passwordStrength: number;
}

/** `/api/v1/auth/*`: every call here is made without the bearer token and never triggers a refresh. */
export const authApi = coinageApi.injectEndpoints({
  endpoints: (build) => ({
    legalDocuments: build.query<LegalDocuments, void>({
      query: () => ({ url: '/api/v1/auth/legal', method: 'GET', skipAuth: true }),
    }),
    register: build.mutation<RegisterResponse, RegisterRequest>({
      query: (body) => ({ url: '/api/v1/auth/register', method: 'POST', data: body, skipAuth: true }),
    }),
    verifyEmail: build.mutation<void, { userId: string; token: string }>({
      query: (body) => ({ url: '/api/v1/auth/verify-email', method: 'POST', data: body, skipAuth: true }),
    }),
    resendVerification: build.mutation<void, { email: string }>({
      query: (body) => ({ url: '/api/v1/auth/resend-verification', method: 'POST', data: body, skipAuth: true }),
    }),
    login: build.mutation<TokenResponse, { email: string; password: string }>({
      // useCookie: the refresh token goes to the HttpOnly cookie, never to script.
      query: (body) => ({ url: '/api/v1/auth/login', method: 'POST', data: { ...body, useCookie: true }, skipAuth: true }),
    }),
    loginTwoFactor: build.mutation<
      TokenResponse,
      { challengeToken: string; code?: string; recoveryCode?: string; passkey?: { ceremonyId: string; credential: AuthenticationResponseJSON } }
    >({
      query: (body) => ({ url: '/api/v1/auth/login/2fa', method: 'POST', data: body, skipAuth: true }),
    }),
    twoFactorPasskeyOptions: build.mutation<RequestCeremony, { challengeToken: string }>({
      query: (body) => ({ url: '/api/v1/auth/login/2fa/passkey/options', method: 'POST', data: body, skipAuth: true }),
    }),
    passkeySignInOptions: build.mutation<RequestCeremony, void>({
      query: () => ({ url: '/api/v1/auth/passkey/options', method: 'POST', skipAuth: true }),
    }),
    passkeyLogin: build.mutation<TokenResponse, { ceremonyId: string; credential: AuthenticationResponseJSON }>({
      query: (body) => ({ url: '/api/v1/auth/passkey/login', method: 'POST', data: { ...body, useCookie: true }, skipAuth: true }),
    }),
    forgotPassword: build.mutation<void, { email: string }>({
      query: (body) => ({ url: '/api/v1/auth/forgot-password', method: 'POST', data: body, skipAuth: true }),
    }),
    resetPassword: build.mutation<void, { userId: string; token: string; newPassword: string }>({
      query: (body) => ({ url: '/api/v1/auth/reset-password', method: 'POST', data: body, skipAuth: true }),
    }),
  }),
});

export const {
  useLegalDocumentsQuery,
  useRegisterMutation,
  useVerifyEmailMutation,
  useResendVerificationMutation,
  useLoginMutation,
  useLoginTwoFactorMutation,
  useTwoFactorPasskeyOptionsMutation,
  usePasskeySignInOptionsMutation,
  usePasskeyLoginMutation,
  useForgotPasswordMutation,
  useResetPasswordMutation,
} = authApi;
