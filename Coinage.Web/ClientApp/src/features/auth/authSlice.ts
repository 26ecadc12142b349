import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { AccessTokenClaims } from './jwt';

/**
 * - `restoring`: the app just loaded and is trying a silent refresh with the HttpOnly cookie;
 * - `signedIn`: an access token is held, in this state only (never in web storage);
 * - `signedOut`: no token; `notice` says why when the user did not ask for it.
 */
export type SessionStatus = 'restoring' | 'signedIn' | 'signedOut';

export interface AuthState {
  status: SessionStatus;
  accessToken: string | null;
  claims: AccessTokenClaims | null;
  notice: string | null;
}

export const sessionEndedNotice = 'Your session has ended. Please sign in again.';

// One shared empty list, so the roles selector answers the same reference while signed out.
const noRoles: string[] = [];

const initialState: AuthState = { status: 'restoring', accessToken: null, claims: null, notice: null };

export const authSlice = createSlice({
  name: 'auth',
  initialState,
  reducers: {
    signedIn(state, action: PayloadAction<{ accessToken: string; claims: AccessTokenClaims }>) {
      state.status = 'signedIn';
      state.accessToken = action.payload.accessToken;
      state.claims = action.payload.claims;
      state.notice = null;
    },
    signedOut(state, action: PayloadAction<{ notice?: string } | undefined>) {
      state.status = 'signedOut';
      state.accessToken = null;
      state.claims = null;
      state.notice = action.payload?.notice ?? null;
    },
    noticeDismissed(state) {
      state.notice = null;
    },
  },
  selectors: {
    selectSessionStatus: (state) => state.status,
    selectAccessToken: (state) => state.accessToken,
    selectClaims: (state) => state.claims,
    selectRoles: (state) => state.claims?.roles ?? noRoles,
    selectSessionNotice: (state) => state.notice,
  },
});

export const { signedIn, signedOut, noticeDismissed } = authSlice.actions;
export const { selectSessionStatus, selectAccessToken, selectClaims, selectRoles, selectSessionNotice } = authSlice.selectors;

export const roles = { trader: 'Trader', support: 'Support', compliance: 'Compliance', admin: 'Admin' } as const;

/** Mirrors the API's policies: Support and Compliance each also admit Admin. */
export function hasAnyRole(userRoles: readonly string[], ...wanted: string[]): boolean {
  return userRoles.some((r) => wanted.includes(r));
}
