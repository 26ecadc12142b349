import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { alpha, useTheme } from '@mui/material/styles';
import {
  CandlestickSeries,
  createChart,
  HistogramSeries,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  LineSeries,
  LineStyle,
  type MouseEventParams,
  PriceLineSource,
  type Time,
} from 'lightweight-charts';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useAppSelector, useRealtime } from '../../app/hooks';
import { QueryState } from '../../forms/QueryState';
import { decimalPlaces } from '../../money/money';
import type { Candle } from '../../realtime/types';
import { selectSessionStatus } from '../auth/authSlice';
import { mergeTrade } from './candles';
import { timeOf, toAverage, toBar, toVolume } from './chart/bars';
import { averageLabel, defaultAverages } from './chart/indicators';
import { legendOf } from './chart/legend';
import { diffLines, type OrderLine, orderLines } from './chart/priceLines';
import { storedInterval, storeInterval } from './chart/storedInterval';
import { type CandleInterval, candleIntervals, type Market, useGetCandlesQuery, useGetOpenOrdersQuery } from './tradingApi';

// Intervals keep their case: "1M" would read as a month.
const compactToggles = { '& .MuiToggleButton-root': { py: 0.25, px: 1, fontSize: '0.75rem', textTransform: 'none' } } as const;

/**
 * Candles with volume, moving averages, a crosshair legend, the last price line and the trader's resting orders as
 * price lines. Candles come from the REST API; the hub's trades grow the last one (volume and averages included);
 * open orders come from the same cache as the orders panel, which the hub's order events refetch.
 */
export function PriceChart({ market }: { market: Market }) {
  const [interval, setInterval] = useState<CandleInterval>(storedInterval);
  const [shown, setShown] = useState<string[]>(() => defaultAverages.map((a) => a.id));
  const candles = useGetCandlesQuery({ symbol: market.symbol, interval });
  const signedIn = useAppSelector(selectSessionStatus) === 'signedIn';
  const openOrders = useGetOpenOrdersQuery({ market: market.symbol }, { skip: !signedIn });
  const realtime = useRealtime();
  const theme = useTheme();
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const price = useRef<ISeriesApi<'Candlestick'> | null>(null);
  const volume = useRef<ISeriesApi<'Histogram'> | null>(null);
  const averages = useRef(new Map<string, ISeriesApi<'Line'>>());
  const drawnOrders = useRef(new Map<string, { line: OrderLine; handle: IPriceLine }>());
  const data = useRef<Candle[]>([]);
  const [last, setLast] = useState<Candle | null>(null);
  const [hovered, setHovered] = useState<Candle | null>(null);

  const palette = theme.palette;
  const colors = useMemo(
    () => ({
      up: palette.success.main,
      down: palette.error.main,
      volumeUp: alpha(palette.success.main, 0.45),
      volumeDown: alpha(palette.error.main, 0.45),
      averages: [palette.warning.main, palette.info.main, palette.secondary.main],
    }),
    [palette],
  );
  // Read by the hub handler, so a change of colour mode does not resubscribe to the market.
  const colorsNow = useRef(colors);
  colorsNow.current = colors;

  useEffect(() => {
    if (!container.current) return;
    // Sized by its panel (autoSize observes the container): the trade page's grid decides how large the chart is.
    const created = createChart(container.current, { autoSize: true });
    chart.current = created;
    price.current = created.addSeries(CandlestickSeries, {
      priceFormat: { type: 'price', precision: decimalPlaces(market.tickSize), minMove: Number(market.tickSize) },
      // The last price line: the close of the newest candle, moving with every live trade.
      lastValueVisible: true,
      priceLineVisible: true,
      priceLineSource: PriceLineSource.LastBar,
    });
    // Candles keep the top three quarters; volume has its own overlay scale in the bottom fifth, as on every exchange.
    price.current.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
    volume.current = created.addSeries(HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'volume' },
      lastValueVisible: false,
      priceLineVisible: false,
    });
    created.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    for (const spec of defaultAverages) {
      averages.current.set(
        spec.id,
        created.addSeries(LineSeries, {
          lineWidth: 1,
          priceLineVisible: false,
          lastValueVisible: false,
          crosshairMarkerVisible: false,
          priceFormat: { type: 'price', precision: decimalPlaces(market.tickSize), minMove: Number(market.tickSize) },
        }),
      );
    }
    const onMove = (param: MouseEventParams<Time>) => {
      const time = param.time as number | undefined;
      setHovered(time === undefined || !param.point ? null : (data.current.find((c) => timeOf(c) === time) ?? null));
    };
    created.subscribeCrosshairMove(onMove);
    const lines = drawnOrders.current;
    const series = averages.current;
    return () => {
      created.unsubscribeCrosshairMove(onMove);
      created.remove();
      chart.current = null;
      price.current = null;
      volume.current = null;
      series.clear();
      lines.clear();
    };
  }, [market.tickSize]);

  useEffect(() => {
    chart.current?.applyOptions({
      layout: { background: { color: palette.background.paper }, textColor: palette.text.secondary},
      grid: { vertLines: { color: palette.divider }, horzLines: { color: palette.divider } },
      rightPriceScale: { borderColor: palette.divider },
      // A few empty bars after the last one, as trading charts leave: the newest candle and its time label clear the price scale.
      timeScale: { timeVisible: true, secondsVisible: false, borderColor: palette.divider, rightOffset: 6 },
    });
    price.current?.applyOptions({
      upColor: colors.up,
      borderUpColor: colors.up,
      wickUpColor: colors.up,
      downColor: colors.down,
      borderDownColor: colors.down,
      wickDownColor: colors.down,
    });
    defaultAverages.forEach((spec, i) => averages.current.get(spec.id)?.applyOptions({ color: colors.averages[i % colors.averages.length]! }));
    volume.current?.setData(data.current.map((c) => toVolume(c, { up: colors.volumeUp, down: colors.volumeDown })));
    for (const { line, handle } of drawnOrders.current.values()) handle.applyOptions({ color: line.side === 'buy' ? colors.up : colors.down });
  }, [palette, colors, market.tickSize]);

  useEffect(() => {
    for (const spec of defaultAverages) averages.current.get(spec.id)?.applyOptions({ visible: shown.includes(spec.id) });
  }, [shown, market.tickSize]);

  useEffect(() => {
    data.current = candles.data ?? [];
    price.current?.setData(data.current.map(toBar));
    volume.current?.setData(data.current.map((c) => toVolume(c, { up: colors.volumeUp, down: colors.volumeDown })));
    for (const spec of defaultAverages) averages.current.get(spec.id)?.setData(toAverage(data.current, spec));
    setLast(data.current.at(-1) ?? null);
    chart.current?.timeScale().scrollToRealTime();
    // Not on a theme change: the theme effect recolours the volume, and this one would scroll the chart away.
  }, [candles.data, market.tickSize]);

  useEffect(
    () =>
      realtime.subscribeMarket(market.symbol, {
        onTrades: ({ trades }) => {
          for (const trade of trades) data.current = mergeTrade(data.current, trade, interval);
          const newest = data.current.at(-1);
          if (!newest) return;
          price.current?.update(toBar(newest));
          volume.current?.update(toVolume(newest, { up: colorsNow.current.volumeUp, down: colorsNow.current.volumeDown }));
          // A few hundred candles: recomputing an average is cheaper than keeping its running state right.
          for (const spec of defaultAverages) {
            const point = toAverage(data.current, spec).at(-1);
            if (point) averages.current.get(spec.id)?.update(point);
          }
          setLast(newest);
        },
      }),
    [realtime, market.symbol, interval],
  );

  const resting = openOrders.data?.items;
  useEffect(() => {
    const series = price.current;
    if (!series) return;
    const drawn = drawnOrders.current;
    const { remove, add } = diffLines(new Map([...drawn].map(([id, d]) => [id, d.line])), signedIn ? orderLines(resting ?? [], market) : []);
    for (const id of remove) {
      series.removePriceLine(drawn.get(id)!.handle);
      drawn.delete(id);
    }
    for (const line of add) {
      const handle = series.createPriceLine({
        price: Number(line.price),
        color: line.side === 'buy' ? colors.up : colors.down,
        lineWidth: 1,
        // Longer dashes than the last price line's, so the two read apart where they meet.
        lineStyle: LineStyle.LargeDashed,
        axisLabelVisible: true,
        title: line.title,
      });
      drawn.set(line.id, { line, handle });
    }
  }, [resting, signedIn, market, colors]);

  function choose(_e: unknown, value: CandleInterval | null) {
    if (!value) return;
    storeInterval(value);
    setInterval(value);
    setHovered(null);
  }

  const legendCandle = hovered ?? last;
  const legend = legendCandle ? legendOf(legendCandle, market) : null;
  const legendColor = legend?.direction === 'down' ? 'error.main' : legend?.direction === 'up' ? 'success.main' : 'text.primary';
  const lineCount = resting ? orderLines(resting, market).length : 0;

  return (
    <Paper variant="outlined" component="section" aria-label="Price chart" sx={{ p: 1.5, height: '100%', display: 'flex', flexDirection: 'column' }}>
      <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', flexWrap: 'wrap', gap: 1, mb: 1 }}>
        <Typography variant="subtitle2" component="h2">
          Price
        </Typography>
        <Stack direction="row" sx={{ gap: 1, flexWrap: 'wrap' }}>
          <ToggleButtonGroup
            size="small"
            value={shown}
            onChange={(_e, value: string[]) => setShown(value)}
            aria-label="Moving averages"
            sx={compactToggles}
          >
            {defaultAverages.map((spec, i) => (
              <ToggleButton key={spec.id} value={spec.id} aria-label={`Show ${averageLabel(spec)}`}>
                <Box component="span" sx={{ width: 8, height: 2, mr: 0.75, bgcolor: colors.averages[i % colors.averages.length] }} />
                {averageLabel(spec)}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
          <ToggleButtonGroup
            size="small"
            exclusive
            value={interval}
            onChange={choose}
            aria-label="Candle interval"
            sx={compactToggles}
          >
            {candleIntervals.map((i) => (
              <ToggleButton key={i} value={i}>
                {i}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
        </Stack>
      </Stack>
      <QueryState isLoading={candles.isLoading} error={candles.error} onRetry={() => void candles.refetch()} label="candles" />
      {candles.isSuccess && last === null && (
        <Typography variant="body2" color="text.secondary">
          No trades yet in this market.
        </Typography>
      )}
      <Box sx={{ position: 'relative', flex: '1 1 0', minHeight: 200 }}>
        {legend && (
          <Box
            role="group"
            aria-label={hovered ? 'Candle under the cursor' : 'Latest candle'}
            sx={{
              position: 'absolute',
              top: 4,
              left: 8,
              zIndex: 3,
              pointerEvents: 'none',
              display: 'flex',
              flexWrap: 'wrap',
              columnGap: 1.25,
              typography: 'caption',
              fontVariantNumeric: 'tabular-nums',
              color: 'text.secondary',
            }}
          >
            {(
              [
                ['O', legend.open],
                ['H', legend.high],
                ['L', legend.low],
                ['C', legend.close],
              ] as const
            ).map(([label, value]) => (
              <span key={label}>
                {label}{' '}
                <Box component="span" sx={{ color: legendColor }}>
                  {value}
                </Box>
              </span>
            ))}
            <Box component="span" sx={{ color: legendColor }}>
              {legend.change}
            </Box>
            <span>
              V{' '}
              <Box component="span" sx={{ color: 'text.primary' }}>
                {legend.volume}
              </Box>{' '}
              {market.baseAsset}
            </span>
          </Box>
        )}
        <Box ref={container} data-testid="price-chart-canvas" sx={{ position: 'absolute', inset: 0 }} />
      </Box>
      {signedIn && lineCount > 0 && (
        <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 0.5 }}>
          Dashed lines: your {lineCount} open {lineCount === 1 ? 'order' : 'orders'} in this market.
        </Typography>
      )}
    </Paper>
  );
}
