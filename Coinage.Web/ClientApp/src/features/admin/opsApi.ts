import { coinageApi } from '../../api/coinageApi';

export interface HangfireTicket {
  ticket: string;
  /** The Worker's dashboard with the ticket in its query string. */
  url: string;
  expiresAt: string;
}

/** `/api/v1/admin/ops` (Admin): what reaches the back office. */
export const opsApi = coinageApi.injectEndpoints({
  endpoints: (build) => ({
    /** A single-use ticket (60 s) that the Worker exchanges for its own dashboard cookie. */
    issueHangfireTicket: build.mutation<HangfireTicket, void>({
      query: () => ({ url: '/api/v1/admin/ops/hangfire-ticket', method: 'POST' }),
    }),
  }),
});

export const { useIssueHangfireTicketMutation } = opsApi;

/** Leaves the app for another origin; a seam for tests, which cannot navigate jsdom away. */
export const externalNavigation = {
  assign(url: string) {
    window.location.assign(url);
  },
};
