import { coinageApi } from '../../api/coinageApi';

export interface AdminUser {
  id: string;
  email: string;
  emailVerified: boolean;
  twoFactorEnabled: boolean;
  lockedOut: boolean;
  lockoutEnd: string | null;
  /** An Admin suspended the user's trading: new orders refused, cancels allowed. */
  tradingSuspended?: boolean;
  createdAt: string;
  roles: string[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface AuditEntry {
  sequence: string;
  occurredAt: string;
  action: string;
  actorUserId: string | null;
  subjectUserId: string | null;
  ipAddress: string | null;
  /** JSON text written by the action. */
  data: string;
  hash: string;
}

export interface AuditChainReport {
  intact: boolean;
  checkedEntries: number;
  firstBrokenSequence: number | null;
  reason: string | null;
}

export interface AuditFilter {
  action?: string;
  userId?: string;
  from?: string;
  to?: string;
}

export const allRoles = ['Trader', 'Support', 'Compliance', 'Admin'] as const;

function withoutEmpty(params: Record<string, string | number | undefined>) {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));
}

/** `/api/v1/admin/users` (Support: list; Admin: the rest) and `/api/v1/audit` (Compliance, Admin). */
export const adminApi = coinageApi.injectEndpoints({
  endpoints: (build) => ({
    listUsers: build.query<Page<AdminUser>, { search?: string; cursor?: string; limit?: number }>({
      query: (args) => ({ url: '/api/v1/admin/users', params: withoutEmpty(args) }),
      providesTags: ['AdminUsers'],
    }),
    lockUser: build.mutation<void, string>({
      query: (id) => ({ url: `/api/v1/admin/users/${encodeURIComponent(id)}/lock`, method: 'POST' }),
      invalidatesTags: (_result, error) => (error ? [] : ['AdminUsers']),
    }),
    unlockUser: build.mutation<void, string>({
      query: (id) => ({ url: `/api/v1/admin/users/${encodeURIComponent(id)}/unlock`, method: 'POST' }),
      invalidatesTags: (_result, error) => (error ? [] : ['AdminUsers']),
    }),
    setRole: build.mutation<void, { id: string; role: string; grant: boolean }>({
      query: ({ id, role, grant }) => ({
        url: `/api/v1/admin/users/${encodeURIComponent(id)}/roles/${encodeURIComponent(role)}`,
        method: grant ? 'PUT' : 'DELETE',
      }),
      invalidatesTags: (_result, error) => (error ? [] : ['AdminUsers']),
    }),
    listAudit: build.query<Page<AuditEntry>, AuditFilter & { cursor?: string; limit?: number }>({
      query: (args) => ({ url: '/api/v1/audit', params: withoutEmpty({ ...args }) }),
      providesTags: ['Audit'],
    }),
    verifyAudit: build.query<AuditChainReport, void>({
      query: () => ({ url: '/api/v1/audit/verify' }),
      providesTags: ['Audit'],
    }),
  }),
});

export const {
  useListUsersQuery,
  useLockUserMutation,
  useUnlockUserMutation,
  useSetRoleMutation,
  useListAuditQuery,
  useLazyVerifyAuditQuery,
} = adminApi;
