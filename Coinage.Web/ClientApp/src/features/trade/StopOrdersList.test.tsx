import { screen, within } from '@testing-library/react';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiClient } from '../../api/client';
import { type AppStore, makeStore } from '../../app/store';
import { fakeHubs } from '../../test/fakeHub';
import { btcBook, btcUsd, ethUsd, ticker } from '../../test/marketFixtures';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import { type Order, triggerDirection } from './tradingApi';

vi.mock('./PriceChart', () => ({ PriceChart: () => <section aria-label="Price chart" /> }));

const stopLoss: Order = {
  id: '8',
  clientOrderId: null,
  market: 'BTC-USD',
  side: 'sell',
  type: 'stop_limit',
  timeInForce: 'GTC',
  postOnly: false,
  status: 'untriggered',
  price: '59900',
  quantity: '0.1',
  quoteAmount: null,
  filledQuantity: '0',
  filledQuote: '0',
  averagePrice: null,
  fee: '0',
  holdAsset: 'BTC',
  remainingHold: '0.1',
  createdAt: '2026-12-06T08:00:00Z',
  updatedAt: '2026-12-06T08:00:00Z',
  closeReason: null,
  triggerPrice: '60000',
  triggeredAt: null,
};

describe('stop and take-profit orders in the lists', () => {
  let http: MockAdapter;
  let store: AppStore;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/markets').reply(200, [btcUsd, ethUsd]);
    http.onGet('/api/v1/markets/tickers').reply(200, [ticker('BTC-USD', '65000', '2.00')]);
    http.onGet('/api/v1/markets/BTC-USD/trades').reply(200, []);
    http.onGet('/api/v1/wallet/balances').reply(200, [{ asset: 'BTC', available: '1', held: '0.1', total: '1.1' }]);
    http.onGet('/api/v1/orders/open').reply(200, { items: [stopLoss], nextCursor: null });
    store = makeStore(undefined, { hubConnectionFactory: fakeHubs([btcBook]).factory });
  });

  afterEach(() => {
    store.session.cancelSchedule();
    store.realtime.close();
    http.restore();
  });

  it('shows the type, the trigger with its direction, and the untriggered status of an armed order', async () => {
    renderApp('/trade/BTC-USD', store);

    const orders = await screen.findByRole('table', { name: 'Open orders' });
    const row = within(orders).getByText('59,900').closest('tr')!;
    expect(within(row).getByText(/sell stop limit/i)).toBeInTheDocument();
    expect(within(row).getByText('trigger ≤ 60,000')).toBeInTheDocument();
    expect(within(row).getByText('Untriggered')).toBeInTheDocument();
  });

  it('says which way each trigger fires', () => {
    expect(triggerDirection({ type: 'stop_market', side: 'buy' })).toBe('≥');
    expect(triggerDirection({ type: 'stop_limit', side: 'sell' })).toBe('≤');
    expect(triggerDirection({ type: 'take_profit_limit', side: 'buy' })).toBe('≤');
    expect(triggerDirection({ type: 'take_profit_market', side: 'sell' })).toBe('≥');
    expect(triggerDirection({ type: 'limit', side: 'buy' })).toBeNull();
  });
});
