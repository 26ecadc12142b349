import { act, screen, waitFor, within } from '@testing-library/react';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { makeStore } from '../../app/store';
import { fakeHubs } from '../../test/fakeHub';
import { btcUsd, ethUsd, ticker } from '../../test/marketFixtures';
import { renderApp } from '../../test/renderApp';

describe('markets page', () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(401, {});
    http.onGet('/api/v1/markets').reply(200, [btcUsd, ethUsd]);
    http.onGet('/api/v1/markets/tickers').reply(200, [ticker('BTC-USD', '65000', '1.25'), ticker('ETH-USD', null)]);
  });

  afterEach(() => http.restore());

  it('lists every market from the REST tickers, then updates a row from a live ticker message', async () => {
    const hub = fakeHubs();
    const store = makeStore(undefined, { hubConnectionFactory: hub.factory });
    renderApp('/markets', store);

    const table = await screen.findByRole('table', { name: 'Markets' });
    const btcRow = (await within(table).findByRole('link', { name: 'BTC-USD' })).closest('tr')!;
    expect(within(btcRow).getByText('65,000')).toBeInTheDocument();
    expect(within(btcRow).getByText('+1.25%')).toBeInTheDocument();
    expect(within(table).getByRole('link', { name: 'ETH-USD' })).toHaveAttribute('href', '/trade/ETH-USD');
    // A market that never traded shows dashes, not zeros.
    expect(within(within(table).getByRole('link', { name: 'ETH-USD' }).closest('tr')!).getAllByText('—').length).toBeGreaterThan(0);

    await waitFor(() => expect(hub.current().subscriptions().sort()).toEqual(['BTC-USD', 'ETH-USD']));
    act(() => hub.current().emit('ticker', { ...ticker('BTC-USD', '64123', '-0.40'), high24h: '66000' }));

    expect(await within(btcRow).findByText('64,123')).toBeInTheDocument();
    expect(within(btcRow).getByText('-0.40%')).toBeInTheDocument();
    expect(within(btcRow).getByText('66,000')).toBeInTheDocument();
    expect(within(btcRow).queryByText('65,000')).not.toBeInTheDocument();
    store.realtime.close();
  });

  it('shows the error with a retry when the markets cannot be loaded', async () => {
    http.resetHandlers();
    http.onPost('/api/v1/auth/refresh').reply(401, {});
    http.onGet('/api/v1/markets').replyOnce(503, { title: 'The exchange is starting', code: 'unavailable' }).onGet('/api/v1/markets').reply(200, [btcUsd]);
    http.onGet('/api/v1/markets/tickers').reply(200, []);
    const hub = fakeHubs();
    const store = makeStore(undefined, { hubConnectionFactory: hub.factory });
    renderApp('/markets', store);

    expect(await screen.findByText('The exchange is starting')).toBeInTheDocument();
    (await screen.findByRole('button', { name: 'Retry' })).click();
    expect(await screen.findByRole('table', { name: 'Markets' })).toBeInTheDocument();
    store.realtime.close();
  });
});
