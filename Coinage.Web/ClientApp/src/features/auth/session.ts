import type { Dispatch, UnknownAction } from '@reduxjs/toolkit';
import type { AxiosError, AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import { isAxiosError } from 'axios';
import { type AuthState, sessionEndedNotice, signedIn, signedOut } from './authSlice';
import type { ConsentDocument } from '../privacy/privacyApi';
import { readAccessToken } from './jwt';

/** `TokenResponse` of the ApiService (POST /auth/login, /auth/login/2fa, /auth/refresh). */
export interface TokenResponse {
  twoFactorRequired: boolean;
  code: string | null;
  challengeToken: string | null;
  accessToken: string | null;
  tokenType: string | null;
  expiresIn: number | null;
  refreshToken: string | null;
  sessionId: string | null;
  /** With `code` "consent_required": new versions of the terms or privacy policy to accept. */
  consentRequired?: ConsentDocument[] | null;
  /** With `twoFactorRequired`: the second factors the user has (`totp`, `passkey`, `recovery_code`). */
  twoFactorMethods?: TwoFactorMethod[] | null;
}

export type TwoFactorMethod = 'totp' | 'passkey' | 'recovery_code';

/** The API needs this header (any value) on cookie-bearing calls; a cross-site form cannot send it. */
export const csrfHeader = 'X-Coinage-Csrf';
export const refreshUrl = '/api/v1/auth/refresh';

/** The API's script-visible companion of the refresh cookie (AuthService.SignedInHintCookie): "a session may be here". */
export const signedInHintCookie = 'coinage-signed-in';

function hasSignedInHint(): boolean {
  return document.cookie.split(';').some((c) => c.trim().startsWith(`${signedInHintCookie}=`));
}
export const logoutUrl = '/api/v1/auth/logout';

/** How long before the access token's `exp` the silent refresh runs. */
export const refreshLeadMs = 60_000;
/** Never schedule closer than this, so a clock skew or a very short token cannot spin. */
const minimumDelayMs = 5_000;
/** How often a page load waits out a refresh refused with 429 before giving up on the session. */
const restoreAttempts = 3;

/** `Retry-After` in seconds as milliseconds, within 1 s to 60 s (15 s when missing or unreadable). */
function retryAfterMs(value: unknown): number {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) * 1000 : 15_000;
}

/**
 * Other tabs of the site share the refresh cookie: two refreshing at once would present the same token
 * twice and the API would revoke the session as stolen. The Web Locks API queues them across tabs, so
 * the second one sends the cookie the first one received. Without it (old browsers), tabs race.
 */
function acrossTabs<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { locks?: LockManager }).locks;
  return locks ? (locks.request('coinage-session-refresh', work) as Promise<T>) : work();
}

interface StoreLike {
  dispatch: Dispatch<UnknownAction>;
  getState: () => { auth: AuthState };
}

/**
 * The browser side of the session: the access token lives only in Redux state, the refresh token only
 * in the API's HttpOnly cookie. Adds the bearer token to calls, refreshes shortly before expiry, and on a
 * 401 refreshes once (one refresh shared by every call that failed meanwhile) and replays the call.
 */
export class SessionManager {
  private inFlight: Promise<string | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private loggingOut = false;
  private store: StoreLike | null = null;

  constructor(private readonly client: AxiosInstance) {}

  attach(store: StoreLike): void {
    this.store = store;
  }

  private get state(): AuthState {
    if (!this.store) {
      throw new Error('SessionManager used before attach().');
    }
    return this.store.getState().auth;
  }

  private dispatch(action: UnknownAction): void {
    this.store?.dispatch(action);
  }

  /** Takes the tokens of a sign-in or refresh answer; false when there is no usable access token. */
  accept(response: TokenResponse): boolean {
    const claims = response.accessToken ? readAccessToken(response.accessToken) : null;
    if (!response.accessToken || !claims) {
      return false;
    }
    this.dispatch(signedIn({ accessToken: response.accessToken, claims }));
    this.schedule(claims.expiresAt);
    return true;
  }

  /** Runs the silent refresh `refreshLeadMs` before the token expires. */
  schedule(expiresAt: number): void {
    this.cancelSchedule();
    const delay = Math.max(expiresAt - Date.now() - refreshLeadMs, minimumDelayMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, delay);
  }

  cancelSchedule(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /**
   * Exchanges the refresh cookie for a new access token. Concurrent callers share one request: the
   * refresh token rotates on every use, so a second parallel refresh would present a used token and
   * the API would revoke the whole session. Resolves to the new token, or null after signing out.
   */
  refresh(): Promise<string | null> {
    // Signing out revokes the session on the server, which also closes the hub's connections: that is not news.
    if (this.loggingOut) return Promise.resolve(null);
    this.inFlight ??= this.doRefresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async doRefresh(attempt = 1): Promise<string | null> {
    const wasSignedIn = this.state.status === 'signedIn';
    try {
      const response = await acrossTabs(() =>
        this.client.post<TokenResponse>(refreshUrl, {}, { skipAuth: true, headers: { [csrfHeader]: '1' } }),
      );
      if (this.accept(response.data)) {
        return this.state.accessToken;
      }
    } catch (error) {
      // An unreachable or overloaded API (no answer, 5xx, 429) is no verdict on the session: keep it and
      // try again a little later. Only the API's refusal (401/403) ends it.
      const status = isAxiosError(error) ? error.response?.status : undefined;
      if (wasSignedIn && isAxiosError(error) && (status === undefined || status >= 500 || status === 429)) {
        this.retryLater();
        return this.state.accessToken;
      }
      // A page load (a new tab, an emailed link) whose refresh is refused for its rate: the API refuses before
      // rotating, so the cookie still holds. Wait and ask again rather than show the sign-in page.
      if (this.state.status === 'restoring' && status === 429 && attempt < restoreAttempts) {
        const headers = isAxiosError(error) ? (error.response?.headers as Record<string, unknown> | undefined) : undefined;
        await new Promise((resolve) => setTimeout(resolve, retryAfterMs(headers?.['retry-after'])));
        return this.doRefresh(attempt + 1);
      }
    }
    this.end(wasSignedIn ? sessionEndedNotice : undefined);
    return null;
  }

  private retryLater(): void {
    this.cancelSchedule();
    this.timer = setTimeout(() => void this.refresh(), 15_000);
  }

  /**
   * On app load: the cookie (if any) restores the session without asking for the password. The refresh cookie is
   * HttpOnly; the API sets a script-visible hint beside it, so a visitor who never signed in sends no refresh
   * bound to fail.
   */
  async restore(): Promise<void> {
    if (this.state.status !== 'restoring') {
      return;
    }
    if (!hasSignedInHint()) {
      this.end();
      return;
    }
    await this.refresh();
  }

  /** Forgets the session locally; `notice` tells the sign-in page why. */
  end(notice?: string): void {
    this.cancelSchedule();
    this.dispatch(signedOut(notice === undefined ? undefined : { notice }));
  }

  /** Signs this session out on the server (its tokens stop at once), then locally whatever the answer. */
  async logout(): Promise<void> {
    this.loggingOut = true;
    try {
      if (this.state.accessToken) {
        await this.client.post(logoutUrl);
      }
    } catch {
      // Already revoked or unreachable: the local session ends anyway.
    } finally {
      this.loggingOut = false;
      this.end();
    }
  }

  /** Installs the bearer and refresh-on-401 interceptors; returns what removes them. */
  install(): () => void {
    const request = this.client.interceptors.request.use((config: InternalAxiosRequestConfig) => {
      const token = this.store ? this.state.accessToken : null;
      if (token && !config.skipAuth) {
        config.headers.set('Authorization', `Bearer ${token}`);
      }
      return config;
      // Synchronous: the request leaves in the same tick, as it would without the session.
    }, undefined, { synchronous: true });
    const response = this.client.interceptors.response.use(undefined, async (error: unknown) => {
      const config = isAxiosError(error) ? (error as AxiosError).config : undefined;
      if (!isAxiosError(error) || error.response?.status !== 401 || !config || config.skipAuth || config.authRetried) {
        throw error;
      }
      const token = await this.refresh();
      if (!token) {
        throw error;
      }
      config.authRetried = true;
      config.headers.set('Authorization', `Bearer ${token}`);
      return this.client.request(config);
    });
    return () => {
      this.client.interceptors.request.eject(request);
      this.client.interceptors.response.eject(response);
    };
  }
}
