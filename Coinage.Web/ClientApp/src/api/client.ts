import axios from 'axios';

/**
 * The app's one HTTP client. The base URL is empty because the API is same-origin: Coinage.Web
 * forwards /api and /hubs to the ApiService (and `npm run dev` proxies them the same way), so no
 * CORS and no API host baked into the bundle.
 */
export const apiClient = axios.create({
  baseURL: '',
  timeout: 15_000,
  headers: {
    Accept: 'application/json, application/problem+json',
  },
});
