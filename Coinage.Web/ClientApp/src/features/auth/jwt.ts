/** The claims of a Coinage access token the UI uses (AccessTokenIssuer in the ApiService). */
export interface AccessTokenClaims {
  userId: string;
  sessionId: string | null;
  roles: string[];
  emailVerified: boolean;
  /** `pwd_change`: the password was set for the user (the bootstrap administrator's) and must be replaced first. */
  passwordChangeRequired: boolean;
  /** `amr` has a second factor (a TOTP or recovery code): what Support, Compliance and Admin need. */
  secondFactor: boolean;
  /** Expiry, milliseconds since the epoch. */
  expiresAt: number;
}

function base64UrlDecode(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(segment.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

function asStrings(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.filter((v): v is string => typeof v === 'string');
  }
  return typeof value === 'string' ? [value] : [];
}

/**
 * Reads (does not verify: the API does) the payload of a JWT. Null when it is not a readable JWT
 * with `sub` and `exp`, which the session treats like a failed sign-in.
 */
export function readAccessToken(token: string): AccessTokenClaims | null {
  const payload = token.split('.')[1];
  if (!payload) {
    return null;
  }
  try {
    const claims = JSON.parse(base64UrlDecode(payload)) as Record<string, unknown>;
    if (typeof claims['sub'] !== 'string' || typeof claims['exp'] !== 'number') {
      return null;
    }
    return {
      userId: claims['sub'],
      sessionId: typeof claims['sid'] === 'string' ? claims['sid'] : null,
      roles: asStrings(claims['role']),
      emailVerified: claims['email_verified'] === true || claims['email_verified'] === 'true',
      passwordChangeRequired: claims['pwd_change'] === true || claims['pwd_change'] === 'true',
      secondFactor: asStrings(claims['amr']).some((m) => m === 'otp' || m === 'rec'),
      expiresAt: claims['exp'] * 1000,
    };
  } catch {
    return null;
  }
}
