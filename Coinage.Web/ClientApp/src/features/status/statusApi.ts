import { coinageApi } from '../../api/coinageApi';

/** GET /api/v1/status, as written by the ApiService's Status feature. */
export interface PlatformStatus {
  service: string;
  version?: string;
  /** "ok" when PostgreSQL answered, otherwise what went wrong. */
  database: string;
  /** "ok" when Redis answered, otherwise what went wrong. */
  redis: string;
  /** ISO-8601 UTC of the newest worker heartbeat; null before the first one. */
  lastHeartbeatAt: string | null;
  serverTime?: string;
}

export const statusApi = coinageApi.injectEndpoints({
  endpoints: (build) => ({
    getStatus: build.query<PlatformStatus, void>({
      query: () => ({ url: '/api/v1/status' }),
      providesTags: ['Status'],
    }),
  }),
});

export const { useGetStatusQuery } = statusApi;
