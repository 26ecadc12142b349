import { coinageApi } from '../../api/coinageApi';
import type { TokenResponse } from './session';

/**
 * The versions of the terms and privacy policy this app shows. The API rejects any other with a
 * `termsVersion` / `privacyVersion` field error (Coinage:Identity:TermsVersion / PrivacyVersion).
 */
export const legalVersions = { terms: '2026-11-01', privacy: '2026-11-01' } as const;

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
    loginTwoFactor: build.mutation<TokenResponse, { challengeToken: string; code?: string; recoveryCode?: string }>({
      query: (body) => ({ url: '/api/v1/auth/login/2fa', method: 'POST', data: body, skipAuth: true }),
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
  useRegisterMutation,
  useVerifyEmailMutation,
  useResendVerificationMutation,
  useLoginMutation,
  useLoginTwoFactorMutation,
  useForgotPasswordMutation,
  useResetPasswordMutation,
} = authApi;
