import { coinageApi } from '../../api/coinageApi';
import type { AuditEntry, Page } from '../admin/adminApi';

export interface AuditSearchArgs {
  q?: string;
  actions?: string[];
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

export interface AuditSearchResult extends Page<AuditEntry> {
  aggregations: { actions: { action: string; count: number }[] };
}

/** Repeated parameters (`action=a&action=b`) as ASP.NET binds them; axios would send `action[]=`. */
export function searchParams(args: Record<string, string | number | string[] | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== '') {
        params.append(key, String(one));
      }
    }
  }
  return params;
}

/** `GET /api/v1/compliance/audit/search` (Compliance, Admin): Elasticsearch, or PostgreSQL when it is absent. */
export const complianceApi = coinageApi.injectEndpoints({
  endpoints: (build) => ({
    searchAudit: build.query<AuditSearchResult, AuditSearchArgs>({
      query: ({ actions, ...rest }) => ({ url: '/api/v1/compliance/audit/search', params: searchParams({ ...rest, action: actions }) }),
      providesTags: ['Audit'],
    }),
  }),
});

export const { useSearchAuditQuery } = complianceApi;
