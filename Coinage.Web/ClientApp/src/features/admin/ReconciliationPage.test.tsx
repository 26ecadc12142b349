import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';

// The page is loaded lazily: on a busy machine its first import takes longer than findBy's 1 s default.
const slow = { timeout: 10_000 };

const status = { service: 'apiservice', database: 'ok', redis: 'ok', lastHeartbeatAt: null };

function run(id: string, state: 'succeeded' | 'failed' | 'error', extra: Record<string, unknown> = {}) {
  return {
    id,
    startedAt: '2026-11-24T09:00:00Z',
    finishedAt: '2026-11-24T09:00:00.250Z',
    status: state,
    instance: 'vm/worker-1',
    discrepancyCount: 0,
    counts: { postings: 40, orders: 12, trades: 3 },
    discrepancies: [],
    error: null,
    ...extra,
  };
}

const failed = run('2', 'failed', {
  discrepancyCount: 1,
  discrepancies: [{ check: 'ledger', kind: 'BalanceMismatch', subject: '7:USD:Available', expected: '100', actual: '101' }],
});

describe('reconciliation page', () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onGet('/api/v1/status').reply(200, status);
  });

  afterEach(() => {
    http.restore();
  });

  it('shows an Admin the failed latest run with its discrepancies and the history', async () => {
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles: ['Admin'] })));
    http.onGet('/api/v1/admin/reconciliation').reply(200, {
      latest: failed,
      lastSuccessAt: '2026-11-24T08:59:00Z',
      items: [failed, run('1', 'succeeded')],
      nextCursor: '1',
    });
    renderApp('/admin/reconciliation');

    expect(await screen.findByText('1 discrepancy found', {}, slow)).toBeInTheDocument();
    const discrepancies = screen.getByRole('table', { name: 'Discrepancies' });
    const row = within(discrepancies).getByText('7:USD:Available').closest('tr')!;
    expect(within(row).getByText('BalanceMismatch')).toBeInTheDocument();
    expect(within(row).getByText('100')).toBeInTheDocument();
    expect(within(row).getByText('101')).toBeInTheDocument();
    const runs = screen.getByRole('grid', { name: 'Reconciliation runs' });
    expect(within(runs).getByText('Balanced')).toBeInTheDocument();
    expect(within(runs).getByText('Discrepancies found')).toBeInTheDocument();

    await userEvent.setup().click(screen.getByRole('button', { name: 'Go to next page' }));
    const pages = http.history['get']!.filter((r) => r.url === '/api/v1/admin/reconciliation');
    expect(pages.some((r) => (r.params as Record<string, unknown>)['cursor'] === '1')).toBe(true);
  }, 30_000);

  it('says when the ledger is balanced, and is not offered to Compliance', async () => {
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles: ['Admin'] })));
    http.onGet('/api/v1/admin/reconciliation').reply(200, { latest: run('3', 'succeeded'), lastSuccessAt: '2026-11-24T09:00:00.250Z', items: [run('3', 'succeeded')], nextCursor: null });
    renderApp('/admin/reconciliation');

    expect(await screen.findByText('The ledger is balanced', {}, slow)).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Discrepancies' })).not.toBeInTheDocument();
  });

  it('refuses Compliance by address', async () => {
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles: ['Compliance'] })));
    renderApp('/admin/reconciliation');

    expect(await screen.findByText('Your account does not have access to this page.', {}, slow)).toBeInTheDocument();
  });
});
