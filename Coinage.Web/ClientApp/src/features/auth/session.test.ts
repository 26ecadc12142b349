import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiClient } from '../../api/client';
import { type AppStore, makeStore } from '../../app/store';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { sessionEndedNotice } from './authSlice';
import { csrfHeader, refreshLeadMs, signedInHintCookie } from './session';

const refreshUrl = '/api/v1/auth/refresh';

function authorizationOf(config: { headers?: unknown }): string | undefined {
  const headers = config.headers as Record<string, unknown> | undefined;
  const value = headers?.['Authorization'];
  return typeof value === 'string' ? value : undefined;
}

describe('session', () => {
  let http: MockAdapter;
  let store: AppStore;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    store = makeStore();
  });

  afterEach(() => {
    store.session.cancelSchedule();
    http.restore();
    vi.useRealTimers();
  });

  it('restores the session on load from the refresh cookie, with the anti-CSRF header, and keeps the token in memory only', async () => {
    const token = makeAccessToken({ roles: ['Trader', 'Admin'] });
    http.onPost(refreshUrl).reply(200, tokenResponse(token));

    expect(store.getState().auth.status).toBe('restoring');
    await store.session.restore();

    const auth = store.getState().auth;
    expect(auth.status).toBe('signedIn');
    expect(auth.accessToken).toBe(token);
    expect(auth.claims?.roles).toEqual(['Trader', 'Admin']);
    const refresh = http.history['post']![0]!;
    expect((refresh.headers as Record<string, unknown>)[csrfHeader]).toBeTruthy();
    expect(authorizationOf(refresh)).toBeUndefined();
    // Nothing of the session is written where script injected into the page could read it later.
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(0);
    expect(JSON.stringify({ ...window.localStorage, ...window.sessionStorage })).not.toContain(token);
  });

  it('sends no refresh on load when the API left no sign-in hint: a visitor has nothing to restore', async () => {
    document.cookie = `${signedInHintCookie}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT`;

    await store.session.restore();

    expect(store.getState().auth).toMatchObject({ status: 'signedOut', accessToken: null, notice: null });
    expect(http.history['post']).toHaveLength(0);
  });

  it('ends a failed restore quietly: the visitor simply is not signed in', async () => {
    http.onPost(refreshUrl).reply(401, { title: 'Invalid refresh token', code: 'invalid_refresh_token' });

    await store.session.restore();

    expect(store.getState().auth).toMatchObject({ status: 'signedOut', accessToken: null, notice: null });
  });

  it('waits out a page load refresh refused for its rate instead of signing out', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const token = makeAccessToken();
    http
      .onPost(refreshUrl)
      .replyOnce(429, { code: 'rate_limited' }, { 'retry-after': '7' })
      .onPost(refreshUrl)
      .reply(200, tokenResponse(token));

    const restoring = store.session.restore();
    await vi.advanceTimersByTimeAsync(6_000);
    expect(store.getState().auth.status).toBe('restoring');
    expect(http.history['post']).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1_000);
    await restoring;
    expect(store.getState().auth).toMatchObject({ status: 'signedIn', accessToken: token });
    expect(http.history['post']).toHaveLength(2);
  });

  it('gives up a page load restore that stays rate limited', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    http.onPost(refreshUrl).reply(429, { code: 'rate_limited' }, { 'retry-after': '1' });

    const restoring = store.session.restore();
    await vi.advanceTimersByTimeAsync(5_000);
    await restoring;

    expect(store.getState().auth).toMatchObject({ status: 'signedOut', accessToken: null });
    expect(http.history['post']).toHaveLength(3);
  });

  it('sends the access token as a bearer token on API calls', async () => {
    const token = makeAccessToken();
    store.session.accept(tokenResponse(token));
    http.onGet('/api/v1/account/profile').reply(200, {});

    await apiClient.get('/api/v1/account/profile');

    expect(authorizationOf(http.history['get']![0]!)).toBe(`Bearer ${token}`);
  });

  it('refreshes silently a minute before the token expires, and schedules the next one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-11-24T08:00:00Z'));
    const first = makeAccessToken({ expiresInSeconds: 600 });
    const second = makeAccessToken({ expiresInSeconds: 600, now: Date.parse('2026-11-24T08:09:00Z') });
    http.onPost(refreshUrl).replyOnce(200, tokenResponse(second)).onPost(refreshUrl).reply(401, {});

    store.session.accept(tokenResponse(first));
    await vi.advanceTimersByTimeAsync(600_000 - refreshLeadMs - 1_000);
    expect(http.history['post'] ?? []).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(1_000);
    await vi.waitFor(() => expect(store.getState().auth.accessToken).toBe(second));
    expect(http.history['post']).toHaveLength(1);

    // The next refresh follows the new token's expiry, not the old one's.
    await vi.advanceTimersByTimeAsync(600_000 - refreshLeadMs - 1_000);
    expect(http.history['post']).toHaveLength(1);
  });

  it('answers concurrent 401s with one refresh, then replays each call with the new token', async () => {
    const stale = makeAccessToken();
    const fresh = makeAccessToken();
    store.session.accept(tokenResponse(stale));
    let finishRefresh: (value: [number, unknown]) => void = () => {};
    http.onPost(refreshUrl).reply(() => new Promise((resolve) => (finishRefresh = resolve)));
    for (const url of ['/api/v1/account/profile', '/api/v1/account/sessions', '/api/v1/audit/verify']) {
      http.onGet(url).reply((config) => (authorizationOf(config) === `Bearer ${fresh}` ? [200, { url }] : [401, { title: 'Unauthorized' }]));
    }

    const calls = Promise.all([
      apiClient.get('/api/v1/account/profile'),
      apiClient.get('/api/v1/account/sessions'),
      apiClient.get('/api/v1/audit/verify'),
    ]);
    await vi.waitFor(() => expect(http.history['post']).toHaveLength(1));
    finishRefresh([200, tokenResponse(fresh)]);
    const responses = await calls;

    expect(responses.map((r) => (r.data as { url: string }).url)).toEqual([
      '/api/v1/account/profile',
      '/api/v1/account/sessions',
      '/api/v1/audit/verify',
    ]);
    expect(http.history['post']).toHaveLength(1);
    expect(http.history['get']).toHaveLength(6);
    expect(store.getState().auth.accessToken).toBe(fresh);
  });

  it('signs out with a "session ended" notice when the refresh fails, and fails the call', async () => {
    store.session.accept(tokenResponse(makeAccessToken()));
    http.onPost(refreshUrl).reply(401, { title: 'Refresh token reused', code: 'refresh_token_reused' });
    http.onGet('/api/v1/account/profile').reply(401, { title: 'Unauthorized' });

    await expect(apiClient.get('/api/v1/account/profile')).rejects.toMatchObject({ response: { status: 401 } });

    expect(store.getState().auth).toMatchObject({ status: 'signedOut', accessToken: null, claims: null, notice: sessionEndedNotice });
    expect(http.history['post']).toHaveLength(1);
    expect(http.history['get']).toHaveLength(1);
  });

  it('keeps the session when the API cannot answer the refresh, and tries again later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const token = makeAccessToken();
    const fresh = makeAccessToken();
    store.session.accept(tokenResponse(token));
    http.onPost(refreshUrl).replyOnce(502, '').onPost(refreshUrl).reply(200, tokenResponse(fresh));

    await expect(store.session.refresh()).resolves.toBe(token);
    expect(store.getState().auth).toMatchObject({ status: 'signedIn', accessToken: token, notice: null });

    await vi.advanceTimersByTimeAsync(15_000);
    await vi.waitFor(() => expect(store.getState().auth.accessToken).toBe(fresh));
    expect(http.history['post']).toHaveLength(2);
  });

  it('does not treat a wrong password as an expired token', async () => {
    http.onPost('/api/v1/auth/login').reply(401, { title: 'Invalid email or password', code: 'invalid_credentials' });

    await expect(apiClient.post('/api/v1/auth/login', {}, { skipAuth: true })).rejects.toMatchObject({ response: { status: 401 } });

    expect(http.history['post']!.map((r) => r.url)).toEqual(['/api/v1/auth/login']);
  });

  it('logs out on the server with the bearer token, then forgets the session', async () => {
    const token = makeAccessToken();
    store.session.accept(tokenResponse(token));
    http.onPost('/api/v1/auth/logout').reply(204);

    await store.session.logout();

    expect(authorizationOf(http.history['post']![0]!)).toBe(`Bearer ${token}`);
    expect(store.getState().auth).toMatchObject({ status: 'signedOut', accessToken: null, notice: null });
  });
});
