import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderWithStore } from '../../test/renderWithStore';
import { formatTimestamp, shortVersion, StatusPanel } from './StatusPanel';
import type { PlatformStatus } from './statusApi';

const healthy: PlatformStatus = {
  service: 'apiservice',
  version: '1.2.3',
  database: 'ok',
  redis: 'ok',
  lastHeartbeatAt: '2025-01-02T03:04:05Z',
  serverTime: '2025-01-02T03:05:00Z',
};

function statusCard(label: string) {
  return within(screen.getByRole('list', { name: 'Platform status' })).getByRole('listitem', {
    name: new RegExp(`^${label}:`),
  });
}

describe('StatusPanel', () => {
  // Intercepts the app's own Axios instance: the component, the RTK Query endpoint, the base query and
  // the error mapping all run for real; only the network is replaced.
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
  });

  afterEach(() => {
    http.restore();
  });

  it('shows a progress indicator until the status arrives, then the status', async () => {
    let answer: (value: [number, PlatformStatus]) => void = () => {};
    http.onGet('/api/v1/status').reply(() => new Promise((resolve) => (answer = resolve)));

    renderWithStore(<StatusPanel />);

    expect(screen.getByRole('progressbar', { name: 'Loading platform status' })).toBeInTheDocument();
    answer([200, healthy]);

    expect(await screen.findByRole('list', { name: 'Platform status' })).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('shows the API, database and Redis status and the last heartbeat', async () => {
    http.onGet('/api/v1/status').reply(200, healthy);

    renderWithStore(<StatusPanel />);

    await screen.findByRole('list', { name: 'Platform status' });
    expect(within(statusCard('API')).getByText('apiservice 1.2.3')).toBeInTheDocument();
    expect(within(statusCard('Database')).getByText('ok')).toBeInTheDocument();
    expect(within(statusCard('Redis')).getByText('ok')).toBeInTheDocument();
    expect(screen.getByText(formatTimestamp(healthy.lastHeartbeatAt!))).toHaveAttribute('datetime', healthy.lastHeartbeatAt);
    expect(http.history['get']).toHaveLength(1);
    expect(http.history['get']![0]!.url).toBe('/api/v1/status');
  });

  it('shows a failing dependency as such, and a missing heartbeat', async () => {
    http.onGet('/api/v1/status').reply(200, { ...healthy, redis: 'unavailable', lastHeartbeatAt: null });

    renderWithStore(<StatusPanel />);

    expect(await within(await waitFor(() => statusCard('Redis'))).findByText('unavailable')).toBeInTheDocument();
    expect(within(statusCard('Database')).getByText('ok')).toBeInTheDocument();
    expect(screen.getByText(/Last worker heartbeat:\s*none yet/)).toBeInTheDocument();
  });

  it("shows the API's problem details title and detail when the call fails", async () => {
    http.onGet('/api/v1/status').reply(
      503,
      { type: 'about:blank', title: 'Database unavailable', status: 503, detail: 'PostgreSQL did not answer within 5 s.' },
      { 'content-type': 'application/problem+json' },
    );

    renderWithStore(<StatusPanel />);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Database unavailable');
    expect(alert).toHaveTextContent('PostgreSQL did not answer within 5 s.');
    expect(screen.queryByRole('list', { name: 'Platform status' })).not.toBeInTheDocument();
  });

  it('names the failure when the proxy answers without problem details', async () => {
    http.onGet('/api/v1/status').reply(502, '');

    renderWithStore(<StatusPanel />);

    expect(await screen.findByRole('alert')).toHaveTextContent('The API is unreachable');
  });

  it('recovers on retry after a network error', async () => {
    http.onGet('/api/v1/status').networkErrorOnce().onGet('/api/v1/status').reply(200, healthy);
    const user = userEvent.setup();

    renderWithStore(<StatusPanel />);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Network error');
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));

    expect(await screen.findByRole('list', { name: 'Platform status' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('cuts a build version\'s commit to the seven characters git shows, and leaves other versions alone', () => {
    expect(shortVersion('0.0.0-alpha.0.158+9ff2e384d48fca0f99852f9ae764b19100000000')).toBe('0.0.0-alpha.0.158+9ff2e38');
    expect(shortVersion('1.2.3')).toBe('1.2.3');
    expect(shortVersion('1.2.3+local')).toBe('1.2.3+local');
  });
});
