import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiClient } from '../../api/client';
import { type AppStore, makeStore } from '../../app/store';
import { fakeHubs } from '../../test/fakeHub';
import { btcBook, btcUsd, ethUsd, ticker } from '../../test/marketFixtures';
import { renderApp } from '../../test/renderApp';
import { makeAccessToken, tokenResponse } from '../../test/tokens';
import type { Order } from './tradingApi';

/*
 * jsdom has no canvas: lightweight-charts is replaced by a recorder of what the component asks of it (series,
 * data, price lines, options), and the crosshair handler is called as the library would call it.
 */
const charts = vi.hoisted(() => {
  interface FakeSeries {
    kind: string;
    options: Record<string, unknown>[];
    data: unknown[];
    updates: unknown[];
    lines: { options: Record<string, unknown>; removed: boolean }[];
  }
  const state = { series: [] as FakeSeries[], crosshair: [] as ((p: unknown) => void)[], scales: {} as Record<string, unknown[]> };
  function createChart() {
    const scale = (id: string) => ({ applyOptions: (o: unknown) => (state.scales[id] ??= []).push(o) });
    return {
      addSeries(definition: { kind: string }, options: Record<string, unknown>) {
        const s: FakeSeries = { kind: definition.kind, options: [options], data: [], updates: [], lines: [] };
        state.series.push(s);
        return {
          applyOptions: (o: Record<string, unknown>) => s.options.push(o),
          setData: (d: unknown[]) => (s.data = d),
          update: (d: unknown) => s.updates.push(d),
          priceScale: () => scale(`series-${state.series.length - 1}`),
          createPriceLine(o: Record<string, unknown>) {
            const line = { options: o, removed: false };
            s.lines.push(line);
            return { line, applyOptions: (more: Record<string, unknown>) => Object.assign(line.options, more) };
          },
          removePriceLine: (handle: { line: { removed: boolean } }) => (handle.line.removed = true),
        };
      },
      applyOptions: () => undefined,
      priceScale: scale,
      timeScale: () => ({ scrollToRealTime: () => undefined }),
      subscribeCrosshairMove: (h: (p: unknown) => void) => state.crosshair.push(h),
      unsubscribeCrosshairMove: () => undefined,
      remove: () => undefined,
    };
  }
  return { state, createChart };
});

vi.mock('lightweight-charts', () => ({
  createChart: charts.createChart,
  CandlestickSeries: { kind: 'candles' },
  HistogramSeries: { kind: 'volume' },
  LineSeries: { kind: 'line' },
  LineStyle: { LargeDashed: 3 },
  PriceLineSource: { LastBar: 0 },
}));

const series = (kind: string) => charts.state.series.filter((s) => s.kind === kind);
const visible = (s: { options: Record<string, unknown>[] }) => s.options.filter((o) => 'visible' in o).at(-1)?.visible;

const candles = [
  { time: '2026-11-24T08:00:00Z', open: '64000', high: '64500', low: '63800', close: '64400', volume: '1.5', quoteVolume: '96000' },
  { time: '2026-11-24T09:00:00Z', open: '64400', high: '65200', low: '64100', close: '65000', volume: '2.25', quoteVolume: '146000' },
];

const openOrder: Order = {
  id: '7',
  clientOrderId: null,
  market: 'BTC-USD',
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  postOnly: false,
  status: 'partially_filled',
  price: '64000',
  quantity: '0.5',
  quoteAmount: null,
  filledQuantity: '0.2',
  filledQuote: '12800',
  averagePrice: '64000',
  fee: '0',
  holdAsset: 'USD',
  remainingHold: '19200',
  createdAt: '2026-11-24T09:00:00Z',
  updatedAt: '2026-11-24T09:00:00Z',
  closeReason: null,
};

describe('price chart', () => {
  let http: MockAdapter;
  let store: AppStore;
  let hub: ReturnType<typeof fakeHubs>;

  beforeEach(() => {
    charts.state.series.length = 0;
    charts.state.crosshair.length = 0;
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(200, tokenResponse(makeAccessToken()));
    http.onGet('/api/v1/markets').reply(200, [btcUsd, ethUsd]);
    http.onGet('/api/v1/markets/tickers').reply(200, [ticker('BTC-USD', '65000', '2.00')]);
    http.onGet('/api/v1/markets/BTC-USD/trades').reply(200, []);
    http.onGet('/api/v1/markets/BTC-USD/candles').reply(200, candles);
    http.onGet('/api/v1/wallet/balances').reply(200, []);
    http.onGet('/api/v1/orders/open').reply(200, { items: [openOrder], nextCursor: null });
    hub = fakeHubs([btcBook]);
    store = makeStore(undefined, { hubConnectionFactory: hub.factory });
  });

  afterEach(() => {
    store.session.cancelSchedule();
    store.realtime.close();
    http.restore();
  });

  it('draws candles with volume in their colours and averages, and the legend follows the crosshair', async () => {
    renderApp('/trade/BTC-USD', store);
    const chart = await screen.findByRole('region', { name: 'Price chart' });
    const legend = await within(chart).findByRole('group', { name: 'Latest candle' });
    // The last candle when not hovering: 64,400 → 65,000 is +0.93 %.
    expect(legend).toHaveTextContent('O 64,400H 65,200L 64,100C 65,000+0.93%V 2.25 BTC');

    const [price] = series('candles');
    expect(price!.data).toEqual([
      { time: Date.parse(candles[0]!.time) / 1000, open: 64000, high: 64500, low: 63800, close: 64400 },
      { time: Date.parse(candles[1]!.time) / 1000, open: 64400, high: 65200, low: 64100, close: 65000 },
    ]);
    expect(price!.options[0]).toMatchObject({ priceLineVisible: true, lastValueVisible: true });
    const [volume] = series('volume');
    expect(volume!.options[0]).toMatchObject({ priceScaleId: 'volume' });
    expect(charts.state.scales['volume']).toContainEqual({ scaleMargins: { top: 0.8, bottom: 0 } });
    expect((volume!.data as { value: number }[]).map((v) => v.value)).toEqual([1.5, 2.25]);
    // Both candles closed up: both bars in the up colour.
    const colors = (volume!.data as { color: string }[]).map((v) => v.color);
    expect(new Set(colors).size).toBe(1);
    // Three averages, none with enough candles for a value yet (whitespace only).
    expect(series('line')).toHaveLength(3);
    expect(series('line').every((l) => (l.data as object[]).every((d) => !('value' in d)))).toBe(true);

    act(() => charts.state.crosshair.forEach((h) => h({ time: Date.parse(candles[0]!.time) / 1000, point: { x: 10, y: 10 }, seriesData: new Map() })));
    const hovered = within(chart).getByRole('group', { name: 'Candle under the cursor' });
    expect(hovered).toHaveTextContent('O 64,000H 64,500L 63,800C 64,400+0.63%V 1.50 BTC');
    act(() => charts.state.crosshair.forEach((h) => h({ seriesData: new Map() })));
    expect(within(chart).getByRole('group', { name: 'Latest candle' })).toHaveTextContent('C 65,000');
  });

  it('grows the last candle and its volume from the hub, and toggles the averages', async () => {
    const user = userEvent.setup({ delay: null });
    renderApp('/trade/BTC-USD', store);
    const chart = await screen.findByRole('region', { name: 'Price chart' });
    await within(chart).findByRole('group', { name: 'Latest candle' });
    await waitFor(() => expect(hub.current().subscriptions()).toContain('BTC-USD'));

    // The stored interval is 1h by default; 09:30 falls in the 09:00 candle.
    act(() => hub.current().emit('trades', { market: 'BTC-USD', trades: [{ id: '2', price: '63900', quantity: '0.75', side: 'sell', at: '2026-11-24T09:30:00Z' }] }));
    const [price] = series('candles');
    const [volume] = series('volume');
    expect(price!.updates.at(-1)).toMatchObject({ open: 64400, high: 65200, low: 63900, close: 63900 });
    expect(volume!.updates.at(-1)).toMatchObject({ value: 3 });
    // Now red: the bar takes the down colour, which is not the up colour of the first bar.
    expect((volume!.updates.at(-1) as { color: string }).color).not.toBe((volume!.data[0] as { color: string }).color);
    expect(within(chart).getByRole('group', { name: 'Latest candle' })).toHaveTextContent('C 63,900-0.78%V 3.00 BTC');
    expect(within(chart).queryByText('No trades yet in this market.')).not.toBeInTheDocument();

    const ma7 = series('line')[0]!;
    expect(visible(ma7)).toBe(true);
    await user.click(within(chart).getByRole('button', { name: 'Show MA 7' }));
    expect(visible(ma7)).toBe(false);
    expect(visible(series('line')[1]!)).toBe(true);
  });

  it('says there are no trades until the first one arrives from the hub', async () => {
    http.onGet('/api/v1/markets/BTC-USD/candles').reply(200, []);
    renderApp('/trade/BTC-USD', store);
    const chart = await screen.findByRole('region', { name: 'Price chart' });
    expect(await within(chart).findByText('No trades yet in this market.')).toBeInTheDocument();
    expect(within(chart).queryByRole('group', { name: 'Latest candle' })).not.toBeInTheDocument();
    await waitFor(() => expect(hub.current().subscriptions()).toContain('BTC-USD'));

    act(() => hub.current().emit('trades', { market: 'BTC-USD', trades: [{ id: '3', price: '65010', quantity: '0.05', side: 'buy', at: new Date().toISOString() }] }));
    expect(await within(chart).findByRole('group', { name: 'Latest candle' })).toHaveTextContent('C 65,0100.00%V 0.05 BTC');
    expect(within(chart).queryByText('No trades yet in this market.')).not.toBeInTheDocument();
  });

  it('offers seven intervals and remembers the choice in this browser', async () => {
    const user = userEvent.setup({ delay: null });
    const { unmount } = renderApp('/trade/BTC-USD', store);
    const chart = await screen.findByRole('region', { name: 'Price chart' });
    const group = within(chart).getByRole('group', { name: 'Candle interval' });
    expect(within(group).getAllByRole('button').map((b) => b.textContent)).toEqual(['1m', '5m', '15m', '1h', '4h', '1d', '1w']);
    expect(within(group).getByRole('button', { name: '1h' })).toHaveAttribute('aria-pressed', 'true');

    await user.click(within(group).getByRole('button', { name: '4h' }));
    await waitFor(() => expect(http.history['get']!.some((r) => r.url === '/api/v1/markets/BTC-USD/candles' && r.params?.interval === '4h')).toBe(true));
    expect(localStorage.getItem('coinage.chart.interval')).toBe('4h');

    unmount();
    renderApp('/trade/BTC-USD', store);
    const again = await screen.findByRole('region', { name: 'Price chart' });
    expect(within(within(again).getByRole('group', { name: 'Candle interval' })).getByRole('button', { name: '4h' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('draws the trader\'s resting orders as price lines and removes one once it closes', async () => {
    renderApp('/trade/BTC-USD', store);
    const chart = await screen.findByRole('region', { name: 'Price chart' });
    await within(chart).findByText('Dashed lines: your 1 open order in this market.');
    const [price] = series('candles');
    expect(price!.lines).toHaveLength(1);
    expect(price!.lines[0]!.options).toMatchObject({ price: 64000, title: 'Buy 0.30', axisLabelVisible: true });
    expect(price!.lines[0]!.removed).toBe(false);

    // The order filled: the hub says so, the open orders refetch without it, and the line goes.
    http.onGet('/api/v1/orders/open').reply(200, { items: [], nextCursor: null });
    act(() =>
      hub.current().emit('orderUpdate', {
        id: '7', market: 'BTC-USD', side: 'buy', type: 'limit', price: '64000', quantity: '0.5', filledQuantity: '0.5', filledQuote: '32000',
        averagePrice: '64000', status: 'filled', closeReason: null, updatedAt: '2026-11-24T09:05:00Z',
      }),
    );
    await waitFor(() => expect(price!.lines[0]!.removed).toBe(true));
    expect(within(chart).queryByText(/Dashed lines/)).not.toBeInTheDocument();
  });
});
