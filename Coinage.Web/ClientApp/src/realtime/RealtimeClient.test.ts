import MockAdapter from 'axios-mock-adapter';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiClient } from '../api/client';
import { makeStore } from '../app/store';
import { sessionEndedNotice } from '../features/auth/authSlice';
import { FakeHub, fakeHubs } from '../test/fakeHub';
import { btcBook } from '../test/marketFixtures';
import { makeAccessToken, tokenResponse } from '../test/tokens';
import type { HubConnectionFactory } from './RealtimeClient';

describe('realtime client', () => {
  afterEach(() => vi.useRealTimers());

  it('keeps retrying a first connect that fails, then subscribes, and closes once no page needs it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const hubs: FakeHub[] = [];
    let failures = 2;
    const factory: HubConnectionFactory = (token) => {
      const hub = new FakeHub(new Map([['BTC-USD', btcBook]]), token);
      if (failures-- > 0) hub.start = () => Promise.reject(new Error('502 from the proxy'));
      hubs.push(hub);
      return hub;
    };
    const store = makeStore(undefined, { hubConnectionFactory: factory });
    const snapshots: string[] = [];

    const leave = store.realtime.subscribeMarket('BTC-USD', { onSnapshot: (s) => snapshots.push(s.sequence) });
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().connection.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(hubs).toHaveLength(3);
    expect(store.getState().connection.status).toBe('connected');
    expect(hubs[2]!.subscriptions()).toEqual(['BTC-USD']);
    expect(snapshots).toEqual(['10']);

    leave();
    expect(hubs[2]!.invocations.at(-1)).toEqual({ method: 'UnsubscribeMarket', args: ['BTC-USD'] });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(hubs[2]!.stopped).toBe(true);
    expect(store.getState().connection.status).toBe('idle');
  });

  it('checks the session as soon as the server ends a signed-in connection, and signs out when it was revoked', async () => {
    const http = new MockAdapter(apiClient);
    const first = makeAccessToken();
    const second = makeAccessToken();
    http
      .onPost('/api/v1/auth/refresh')
      .replyOnce(200, tokenResponse(first))
      .onPost('/api/v1/auth/refresh')
      .replyOnce(200, tokenResponse(second))
      .onPost('/api/v1/auth/refresh')
      .reply(401, { title: 'Invalid refresh token', code: 'invalid_refresh_token' });
    const hub = fakeHubs();
    const store = makeStore(undefined, { hubConnectionFactory: hub.factory });
    const refreshes = () => http.history['post']!.filter((r) => r.url === '/api/v1/auth/refresh').length;
    try {
      await store.session.restore();
      const leave = store.realtime.subscribePrivate({});
      await vi.waitFor(() => expect(store.getState().connection.status).toBe('connected'));
      expect(hub.current().tokens).toEqual([first]);

      // Ended by the server while the session still holds (a token expiry): refreshed, and back with the new token.
      hub.current().endFromServer();
      await vi.waitFor(() => expect(hub.hubs).toHaveLength(2));
      await vi.waitFor(() => expect(store.getState().connection.status).toBe('connected'));
      expect(refreshes()).toBe(2);
      expect(hub.current().tokens).toEqual([second]);
      expect(store.getState().auth.status).toBe('signedIn');

      // Ended because the session was revoked elsewhere: the refresh is refused and this tab signs out, saying why.
      hub.current().endFromServer();
      await vi.waitFor(() => expect(store.getState().auth).toMatchObject({ status: 'signedOut', notice: sessionEndedNotice }));
      expect(refreshes()).toBe(3);
      leave();
    } finally {
      store.session.cancelSchedule();
      store.realtime.close();
      http.restore();
    }
  });

  it('takes the hub closing during its own sign-out as expected: no refresh and no "session ended" notice', async () => {
    const http = new MockAdapter(apiClient);
    const hub = fakeHubs();
    const store = makeStore(undefined, { hubConnectionFactory: hub.factory });
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    // The server revokes the session and, before it answers, closes the session's hub connections.
    http.onPost('/api/v1/auth/logout').reply(() => {
      hub.current().endFromServer();
      return [204];
    });
    try {
      await store.session.restore();
      const leave = store.realtime.subscribePrivate({});
      await vi.waitFor(() => expect(store.getState().connection.status).toBe('connected'));

      await store.session.logout();

      expect(store.getState().auth).toMatchObject({ status: 'signedOut', notice: null });
      expect(http.history['post']!.filter((r) => r.url === '/api/v1/auth/refresh')).toHaveLength(1);
      leave();
    } finally {
      store.session.cancelSchedule();
      store.realtime.close();
      http.restore();
    }
  });
});
