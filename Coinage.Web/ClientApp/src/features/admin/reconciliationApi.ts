import { coinageApi } from '../../api/coinageApi';

export interface Discrepancy {
  check: string;
  kind: string;
  subject: string;
  /** Decimal strings or short descriptions, exactly as the Worker found them. */
  expected: string;
  actual: string;
}

export type ReconciliationStatus = 'succeeded' | 'failed' | 'error';

export interface ReconciliationRun {
  id: string;
  startedAt: string;
  finishedAt: string;
  status: ReconciliationStatus;
  instance: string;
  discrepancyCount: number;
  counts: Record<string, number>;
  discrepancies: Discrepancy[];
  error: string | null;
}

export interface ReconciliationOverview {
  latest: ReconciliationRun | null;
  lastSuccessAt: string | null;
  items: ReconciliationRun[];
  nextCursor: string | null;
}

/** `/api/v1/admin/reconciliation` (Admin): the Worker's reconciliation runs, newest first. */
export const reconciliationApi = coinageApi.injectEndpoints({
  endpoints: (build) => ({
    reconciliation: build.query<ReconciliationOverview, { cursor?: string; limit?: number }>({
      query: ({ cursor, limit }) => ({
        url: '/api/v1/admin/reconciliation',
        params: { ...(cursor !== undefined && { cursor }), ...(limit !== undefined && { limit }) },
      }),
    }),
  }),
});

export const { useReconciliationQuery } = reconciliationApi;
