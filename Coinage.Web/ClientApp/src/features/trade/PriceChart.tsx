import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import { CandlestickSeries, type CandlestickData, createChart, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef, useState } from 'react';
import { useRealtime } from '../../app/hooks';
import { QueryState } from '../../forms/QueryState';
import { decimalPlaces } from '../../money/money';
import type { Candle } from '../../realtime/types';
import { mergeTrade } from './candles';
import { type CandleInterval, type Market, useGetCandlesQuery } from './tradingApi';

const intervals: CandleInterval[] = ['1m', '5m', '1h', '1d'];

/**
 * The chart library draws on a canvas and takes numbers: a candle is converted only here, for plotting.
 * Every sum (volume, quote volume) is done with decimals before (candles.ts).
 */
function toBar(c: Candle): CandlestickData<UTCTimestamp> {
  return { time: (Date.parse(c.time) / 1000) as UTCTimestamp, open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close) };
}

/** Candlesticks from the REST candles, the last one kept growing by the hub's trades. */
export function PriceChart({ market }: { market: Market }) {
  const [interval, setInterval] = useState<CandleInterval>('1m');
  const candles = useGetCandlesQuery({ symbol: market.symbol, interval });
  const realtime = useRealtime();
  const theme = useTheme();
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<'Candlestick'> | null>(null);
  const data = useRef<Candle[]>([]);

  useEffect(() => {
    if (!container.current) return;
    const created = createChart(container.current, { autoSize: true, height: 320 });
    chart.current = created;
    series.current = created.addSeries(CandlestickSeries, {
      priceFormat: { type: 'price', precision: decimalPlaces(market.tickSize), minMove: Number(market.tickSize) },
    });
    return () => {
      created.remove();
      chart.current = null;
      series.current = null;
    };
  }, [market.tickSize]);

  useEffect(() => {
    const { palette } = theme;
    chart.current?.applyOptions({
      layout: { background: { color: palette.background.paper }, textColor: palette.text.secondary },
      grid: { vertLines: { color: palette.divider }, horzLines: { color: palette.divider } },
      timeScale: { timeVisible: true, secondsVisible: false },
    });
    series.current?.applyOptions({
      upColor: palette.success.main,
      borderUpColor: palette.success.main,
      wickUpColor: palette.success.main,
      downColor: palette.error.main,
      borderDownColor: palette.error.main,
      wickDownColor: palette.error.main,
    });
  }, [theme, market.tickSize]);

  useEffect(() => {
    data.current = candles.data ?? [];
    series.current?.setData(data.current.map(toBar));
    chart.current?.timeScale().scrollToRealTime();
  }, [candles.data]);

  useEffect(
    () =>
      realtime.subscribeMarket(market.symbol, {
        onTrades: ({ trades }) => {
          for (const trade of trades) {
            data.current = mergeTrade(data.current, trade, interval);
            const last = data.current.at(-1);
            if (last) series.current?.update(toBar(last));
          }
        },
      }),
    [realtime, market.symbol, interval],
  );

  return (
    <Paper variant="outlined" component="section" aria-label="Price chart" sx={{ p: 1.5 }}>
      <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', mb: 1 }}>
        <Typography variant="subtitle2" component="h2">
          Price
        </Typography>
        <ToggleButtonGroup size="small" exclusive value={interval} onChange={(_e, value: CandleInterval | null) => value && setInterval(value)} aria-label="Candle interval">
          {intervals.map((i) => (
            <ToggleButton key={i} value={i}>
              {i}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      </Stack>
      <QueryState isLoading={candles.isLoading} error={candles.error} onRetry={() => void candles.refetch()} label="candles" />
      {candles.isSuccess && candles.data.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          No trades yet in this market.
        </Typography>
      )}
      <Box ref={container} sx={{ height: 320, width: '100%' }} />
    </Paper>
  );
}
