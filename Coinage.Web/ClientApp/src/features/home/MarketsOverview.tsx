import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import { formatPercent } from '../../money/money';
import type { Ticker } from '../../realtime/types';
import { LiveMarketsStatus, MarketSymbolLink } from '../markets/LiveMarketsParts';
import { useLiveMarkets } from '../markets/useLiveMarkets';
import { changeColor, formatPrice, formatQuote } from '../trade/format';
import type { Market } from '../trade/tradingApi';
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
        <MarketSymbolLink market={market} />
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
 * and candles first, then the hub's tickers patch the prices in place (`useLiveMarkets`, as the markets page).
 */
export function MarketsOverview() {
  const live = useLiveMarkets();
  const { rows, tickerOf } = live;
  return (
    <>
      <LiveMarketsStatus live={live} />
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
                <MarketRow key={m.symbol} market={m} ticker={tickerOf(m.symbol)} />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </>
  );
}
