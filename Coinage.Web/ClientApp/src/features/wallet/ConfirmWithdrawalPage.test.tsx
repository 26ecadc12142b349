import { configure, screen } from '@testing-library/react';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { withdrawal } from './fixtures';

// The wallet page issues five queries at once; on a loaded CI machine they take longer than the default second.
configure({ asyncUtilTimeout: 10_000 });

describe('withdrawal confirmation link', { timeout: 30_000 }, () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
  });

  afterEach(() => {
    http.restore();
  });

  it('confirms once with the token of the link and says what happens next', async () => {
    http.onPost('/api/v1/wallet/withdrawals/confirm').reply(200, withdrawal({ status: 'pending_approval' }));
    renderApp('/wallet/withdrawals/confirm?token=abc_123');

    expect(await screen.findByRole('status')).toHaveTextContent('Withdrawal of 0.25 BTC confirmed. Status: Awaiting approval.');
    const posts = http.history.post?.filter((r) => r.url === '/api/v1/wallet/withdrawals/confirm') ?? [];
    expect(posts).toHaveLength(1);
    expect(JSON.parse(String(posts[0]?.data))).toEqual({ token: 'abc_123' });
  });

  it('shows the API’s words for an expired link', async () => {
    http.onPost('/api/v1/wallet/withdrawals/confirm').reply(410, { title: 'The confirmation link has expired.', detail: 'Request it again.', code: 'confirmation_expired' });
    renderApp('/wallet/withdrawals/confirm?token=old');

    expect(await screen.findByText('The confirmation link has expired.')).toBeInTheDocument();
  });
});
