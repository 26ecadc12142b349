import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeStore } from '../app/store';
import { FakeHub } from '../test/fakeHub';
import { btcBook } from '../test/marketFixtures';
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
});
