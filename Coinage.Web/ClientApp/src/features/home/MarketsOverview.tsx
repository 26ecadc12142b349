import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useEffect } from 'react';
import { Link as RouterLink } from 'react-router';
import { useRealtime } from '../../app/hooks';
import { QueryState } from '../../forms/QueryState';
import { formatPercent } from '../../money/money';
import type { Ticker } from '../../realtime/types';
import { changeColor, formatPrice, formatQuote } from '../trade/format';
import { type Market, useGetMarketsQuery, useGetTickersQuery } from '../trade/tradingApi';
import { useGetSparklineQuery } from './homeApi';
import { Sparkline } from './Sparkline';

const numeric = { fontVariantNumeric: 'tabular-nums' } as const;

/** The hourly closes of the last day, the live last price as the line's newest point. */
function MarketSparkline({ symbol, last }: { symbol: string; last: string | null | undefined }) {
  const { data } = useGetSparklineQuery(symbol);
  const closes = (data ?? []).map((c) => c.close);
  return <Sparkline values={last && closes.length > 0 ? [...closes, last] : closes} />;
}

function MarketRow({ market, ticker }: { market: Market; ticker: Ticker | undefined }) {
  return (
    <TableRow hover>
      <TableCell component="th" scope="row">
        <Link component={RouterLink} to={`/trade/${market.symbol}`} sx={{ fontWeight: 600 }}>
          {market.symbol}
        </Link>
        {market.status === 'halted' && (
          <Typography component="span" variant="caption" color="warning.main" sx={{ ml: 1 }}>
            halted
          </Typography>
        )}
      </TableCell>
      <TableCell align="right" sx={numeric}>
        {formatPrice(ticker?.last, market)}
      </TableCell>
      <TableCell align="right" sx={{ ...numeric, color: changeColor(ticker?.changePercent24h) }}>
        {formatPercent(ticker?.changePercent24h)}
      </TableCell>
      <TableCell align="right" sx={{ ...numeric, display: { xs: 'none', sm: 'table-cell' } }}>
        {ticker ? `${formatQuote(ticker.quoteVolume24h, market)} ${market.quoteAsset}` : '—'}
      </TableCell>
      <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' }, width: 112 }}>
        <MarketSparkline symbol={market.symbol} last={ticker?.last} />
      </TableCell>
    </TableRow>
  );
}

/**
 * Every market with its last price, 24-hour change and volume and a sparkline of the last day: REST tickers
 * and candles first, then the hub's tickers patch the prices in place (the same subscription as the markets page).
 */
export function MarketsOverview() {
  const markets = useGetMarketsQuery();
  const tickers = useGetTickersQuery();
  const realtime = useRealtime();
  const symbols = (markets.data ?? []).map((m) => m.symbol).join(',');

  useEffect(() => {
    if (symbols === '') return;
    const leaves = symbols.split(',').map((symbol) => realtime.subscribeMarket(symbol, {}));
    return () => leaves.forEach((leave) => leave());
  }, [realtime, symbols]);

  const rows = markets.data ?? [];
  return (
    <>
      <QueryState isLoading={markets.isLoading} error={markets.error} onRetry={() => void markets.refetch()} label="markets" />
      {tickers.error && <QueryState isLoading={false} error={tickers.error} onRetry={() => void tickers.refetch()} label="prices" />}
      {markets.isSuccess && rows.length === 0 && <Typography color="text.secondary">No markets are listed yet.</Typography>}
      {rows.length > 0 && (
        <TableContainer component={Paper} variant="outlined">
          <Table aria-label="Markets" size="small">
            <TableHead>
              <TableRow>
                <TableCell>Market</TableCell>
                <TableCell align="right">Last price</TableCell>
                <TableCell align="right">24h change</TableCell>
                <TableCell align="right" sx={{ display: { xs: 'none', sm: 'table-cell' } }}>
                  24h volume
                </TableCell>
                <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>Last 24h</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((m) => (
                <MarketRow key={m.symbol} market={m} ticker={tickers.data?.find((t) => t.symbol === m.symbol)} />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </>
  );
}
