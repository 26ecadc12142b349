import type { TokenResponse } from '../features/auth/session';

function base64Url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** An access token shaped like the ApiService's (unsigned: the browser never verifies it). */
export function makeAccessToken({
  sub = '0193a000-0000-7000-8000-000000000001',
  roles = ['Trader'],
  expiresInSeconds = 600,
  now = Date.now(),
  jti = Math.random().toString(36).slice(2),
  // Staff sign in with a second factor (the API requires it for their roles); traders may not.
  amr = roles.some((r) => r !== 'Trader') ? ['pwd', 'otp'] : ['pwd'],
  passwordChangeRequired = false,
}: {
  sub?: string;
  roles?: string[];
  expiresInSeconds?: number;
  now?: number;
  jti?: string;
  amr?: string[];
  passwordChangeRequired?: boolean;
} = {}): string {
  const header = base64Url({ alg: 'HS256', typ: 'JWT' });
  const payload = base64Url({
    sub,
    jti,
    sid: '0193a000-0000-7000-8000-0000000000aa',
    amr,
    role: roles,
    email_verified: true,
    av: 0,
    ...(passwordChangeRequired && { pwd_change: true }),
    exp: Math.floor(now / 1000) + expiresInSeconds,
  });
  return `${header}.${payload}.c2lnbmF0dXJl`;
}

export function tokenResponse(accessToken: string): TokenResponse {
  return {
    twoFactorRequired: false,
    code: null,
    challengeToken: null,
    accessToken,
    tokenType: 'Bearer',
    expiresIn: 600,
    refreshToken: null,
    sessionId: '0193a000-0000-7000-8000-0000000000aa',
  };
}
