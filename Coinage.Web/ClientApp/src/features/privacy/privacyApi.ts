import { apiClient } from '../../api/client';
import { coinageApi } from '../../api/coinageApi';

export type ConsentPurpose = 'terms' | 'privacy' | 'marketing' | 'analytics';

export interface Consent {
  purpose: ConsentPurpose;
  currentVersion: string;
  required: boolean;
  granted: boolean;
  acceptedVersion: string | null;
  recordedAt: string | null;
}

export interface Consents {
  items: Consent[];
  acceptanceRequired: boolean;
}

export interface ConsentHistoryItem {
  id: string;
  purpose: ConsentPurpose;
  version: string;
  granted: boolean;
  recordedAt: string;
  ipAddress: string | null;
  source: 'registration' | 'settings' | 'sign_in';
}

export interface ConsentHistoryPage {
  items: ConsentHistoryItem[];
  nextCursor: string | null;
}

export interface DataExport {
  id: string;
  status: 'requested' | 'ready' | 'downloaded' | 'expired';
  requestedAt: string;
  completedAt: string | null;
  expiresAt: string | null;
  downloadedAt: string | null;
  sizeBytes: number | null;
}

export interface Erasure {
  id: string;
  status: 'scheduled' | 'cancelled' | 'completed' | 'refused';
  requestedAt: string;
  effectiveAt: string;
  cancelledAt: string | null;
  refusedReason: string | null;
}

/** A document a `consent_required` sign-in asks the user to accept. */
export interface ConsentDocument {
  purpose: 'terms' | 'privacy';
  version: string;
}

/**
 * `/api/v1/privacy/*`. No cache tags (the shared tag list stays untouched): each section refetches
 * its own query after a successful change.
 */
export const privacyApi = coinageApi.injectEndpoints({
  endpoints: (build) => ({
    getConsents: build.query<Consents, void>({
      query: () => ({ url: '/api/v1/privacy/consents' }),
    }),
    changeConsent: build.mutation<void, { purpose: ConsentPurpose; granted: boolean; version: string }>({
      query: ({ purpose, ...body }) => ({ url: `/api/v1/privacy/consents/${purpose}`, method: 'PUT', data: body }),
    }),
    getConsentHistory: build.query<ConsentHistoryPage, string | null>({
      query: (cursor) => ({ url: '/api/v1/privacy/consents/history', params: cursor ? { cursor, limit: 20 } : { limit: 20 } }),
    }),
    getExports: build.query<DataExport[], void>({
      query: () => ({ url: '/api/v1/privacy/exports' }),
    }),
    requestExport: build.mutation<DataExport, void>({
      query: () => ({ url: '/api/v1/privacy/exports', method: 'POST' }),
    }),
    getErasure: build.query<Erasure | null, void>({
      query: () => ({ url: '/api/v1/privacy/erasure' }),
      transformResponse: (response: Erasure | '' | null) => (response ? response : null),
    }),
    requestErasure: build.mutation<Erasure, { password: string; code?: string }>({
      query: (body) => ({ url: '/api/v1/privacy/erasure', method: 'POST', data: body }),
    }),
    cancelErasure: build.mutation<Erasure, void>({
      query: () => ({ url: '/api/v1/privacy/erasure', method: 'DELETE' }),
    }),
  }),
});

export const {
  useGetConsentsQuery,
  useChangeConsentMutation,
  useGetConsentHistoryQuery,
  useGetExportsQuery,
  useRequestExportMutation,
  useGetErasureQuery,
  useRequestErasureMutation,
  useCancelErasureMutation,
} = privacyApi;

/** The archive as a Blob: a zip is not JSON, so this bypasses the JSON base query. */
export async function downloadExport(exportId: string, token: string): Promise<Blob> {
  const response = await apiClient.post<Blob>(`/api/v1/privacy/exports/${encodeURIComponent(exportId)}/download`, { token }, { responseType: 'blob' });
  return response.data;
}

/**
 * The sign-in re-acceptance step runs before the tokens enter the session, so it sends the new
 * access token itself.
 */
export async function acceptDocuments(accessToken: string, documents: ConsentDocument[]): Promise<void> {
  const version = (purpose: string) => documents.find((d) => d.purpose === purpose)?.version;
  const current = await apiClient.get<Consents>('/api/v1/privacy/consents', { skipAuth: true, headers: { Authorization: `Bearer ${accessToken}` } });
  const versionOf = (purpose: ConsentPurpose) => version(purpose) ?? current.data.items.find((i) => i.purpose === purpose)?.currentVersion;
  await apiClient.post(
    '/api/v1/privacy/consents/accept',
    { termsVersion: versionOf('terms'), privacyVersion: versionOf('privacy') },
    { skipAuth: true, headers: { Authorization: `Bearer ${accessToken}` } },
  );
}
