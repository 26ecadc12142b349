import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { externalNavigation } from './opsApi';

const workerUrl = 'http://127.0.0.1:41234/hangfire?ticket=eyJ.ticket.sig';

describe('the way into the Hangfire dashboard', () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onGet('/api/v1/status').reply(200, { service: 'apiservice', database: 'ok', redis: 'ok', lastHeartbeatAt: null });
  });

  afterEach(() => {
    http.restore();
    vi.restoreAllMocks();
  });

  it('gets an Admin one ticket and takes them to the dashboard with it', async () => {
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles: ['Trader', 'Admin'] })));
    http.onPost('/api/v1/admin/ops/hangfire-ticket').reply(200, { ticket: 'eyJ.ticket.sig', url: workerUrl, expiresAt: '2026-12-06T02:00:00Z' });
    const assign = vi.spyOn(externalNavigation, 'assign').mockImplementation(() => undefined);

    renderApp('/admin/hangfire');

    await waitFor(() => expect(assign).toHaveBeenCalledWith(workerUrl));
    expect(screen.getByRole('status')).toHaveTextContent('Opening the Hangfire dashboard');
    expect(http.history['post']!.filter((r) => r.url === '/api/v1/admin/ops/hangfire-ticket')).toHaveLength(1);
  });

  it('says why when the API refuses, and tries again on request', async () => {
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles: ['Admin'] })));
    http
      .onPost('/api/v1/admin/ops/hangfire-ticket')
      .replyOnce(403, { title: 'A second factor is required', detail: 'Turn on two-factor authentication to use staff tools.', status: 403 })
      .onPost('/api/v1/admin/ops/hangfire-ticket')
      .reply(200, { ticket: 't', url: workerUrl, expiresAt: '2026-12-06T02:00:00Z' });
    const assign = vi.spyOn(externalNavigation, 'assign').mockImplementation(() => undefined);
    const user = userEvent.setup();

    renderApp('/admin/hangfire');

    expect(await screen.findByText('Turn on two-factor authentication to use staff tools.')).toBeInTheDocument();
    expect(assign).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith(workerUrl));
  });

  it('asks for no ticket for a trader', async () => {
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken({ roles: ['Trader'] })));

    renderApp('/admin/hangfire');

    expect(await screen.findByText('Your account does not have access to this page.')).toBeInTheDocument();
    expect(http.history['post']!.filter((r) => r.url === '/api/v1/admin/ops/hangfire-ticket')).toHaveLength(0);
  });
});
