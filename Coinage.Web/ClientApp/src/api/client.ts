import axios from 'axios';

declare module 'axios' {
  interface AxiosRequestConfig {
    /**
     * A call that must not carry the access token nor trigger a refresh on 401: sign-in, sign-up,
     * refresh itself, email links. Their 401s mean "wrong password", not "token expired".
     */
    skipAuth?: boolean;
    /** Set on the replay after a refresh, so a second 401 is final. */
    authRetried?: boolean;
  }
}

/**
 * The app's one HTTP client. The base URL is empty because the API is same-origin: Coinage.Web
 * forwards /api and /hubs to the ApiService (and `npm run dev` proxies them the same way), so no
 * CORS and no API host baked into the bundle. The session (features/auth/session.ts) adds the
 * bearer token and the refresh-on-401 interceptors.
 */
export const apiClient = axios.create({
  baseURL: '',
  timeout: 15_000,
  headers: {
    Accept: 'application/json, application/problem+json',
  },
});
