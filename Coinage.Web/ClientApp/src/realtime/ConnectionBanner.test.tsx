import { act, screen, waitFor } from '@testing-library/react';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../api/client';
import { makeStore } from '../app/store';
import { fakeHubs } from '../test/fakeHub';
import { btcUsd, ticker } from '../test/marketFixtures';
import { renderApp } from '../test/renderApp';
import { makeAccessToken, tokenResponse } from '../test/tokens';

describe('connection banner and resync', () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onGet('/api/v1/markets').reply(200, [btcUsd]);
    http.onGet('/api/v1/markets/tickers').reply(200, [ticker('BTC-USD', '65000')]);
  });

  afterEach(() => http.restore());

  it('says the connection is lost while the hub reconnects, then re-subscribes and refetches what may have been missed', async () => {
    http.onPost('/api/v1/auth/refresh').reply(401, {});
    const hub = fakeHubs();
    const store = makeStore(undefined, { hubConnectionFactory: hub.factory });
    renderApp('/markets', store);
    await waitFor(() => expect(hub.current().subscriptions()).toEqual(['BTC-USD']));
    expect(screen.queryByText('Connection lost — reconnecting…')).not.toBeInTheDocument();
    const tickerCalls = () => http.history['get']!.filter((r) => r.url === '/api/v1/markets/tickers').length;
    expect(tickerCalls()).toBe(1);

    act(() => hub.current().drop());
    expect(await screen.findByRole('alert')).toHaveTextContent('Connection lost — reconnecting…');

    act(() => hub.current().restore());
    await waitFor(() => expect(screen.queryByText('Connection lost — reconnecting…')).not.toBeInTheDocument());
    // A new connection id has no groups: the market is subscribed again, and REST state refetched.
    await waitFor(() => expect(hub.current().subscriptions()).toEqual(['BTC-USD', 'BTC-USD']));
    await waitFor(() => expect(tickerCalls()).toBe(2));
    expect(store.getState().connection).toEqual({ status: 'connected', reconnects: 1 });
    store.realtime.close();
  });

  it('connects with the access token, and reconnects with the new one when another user signs in', async () => {
    const first = makeAccessToken({ sub: '0193a000-0000-7000-8000-000000000001' });
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(first));
    const hub = fakeHubs();
    const store = makeStore(undefined, { hubConnectionFactory: hub.factory });
    renderApp('/markets', store);
    await waitFor(() => expect(hub.current().subscriptions()).toEqual(['BTC-USD']));
    expect(hub.current().tokens).toEqual([first]);

    const second = makeAccessToken({ sub: '0193a000-0000-7000-8000-000000000002' });
    act(() => void store.session.accept({ ...tokenResponse(second), sessionId: 'other' }));

    await waitFor(() => expect(hub.hubs).toHaveLength(2));
    expect(hub.hubs[0]!.stopped).toBe(true);
    expect(hub.current().tokens).toEqual([second]);
    await waitFor(() => expect(hub.current().subscriptions()).toEqual(['BTC-USD']));
    store.session.cancelSchedule();
    store.realtime.close();
  });
});
