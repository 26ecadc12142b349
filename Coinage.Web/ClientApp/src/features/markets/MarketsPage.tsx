import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
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
import { changeColor, formatPrice, formatQuote, formatSize } from '../trade/format';
import { useGetMarketsQuery, useGetTickersQuery } from '../trade/tradingApi';

/** Every market with its 24h figures: REST tickers first, then the hub's `ticker` messages patch them in place. */
export function MarketsPage() {
  const markets = useGetMarketsQuery();
  const tickers = useGetTickersQuery();
  const realtime = useRealtime();
  const symbols = (markets.data ?? []).map((m) => m.symbol).join(',');

  useEffect(() => {
    if (symbols === '') return;
    // Subscribing is what brings a market's tickers; the client patches the tickers cache itself.
    const leaves = symbols.split(',').map((symbol) => realtime.subscribeMarket(symbol, {}));
    return () => leaves.forEach((leave) => leave());
  }, [realtime, symbols]);

  const rows = markets.data ?? [];
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">
        Markets
      </Typography>
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
                  24h high
                </TableCell>
                <TableCell align="right" sx={{ display: { xs: 'none', sm: 'table-cell' } }}>
                  24h low
                </TableCell>
                <TableCell align="right" sx={{ display: { xs: 'none', md: 'table-cell' } }}>
                  24h volume
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((m) => {
                const t = tickers.data?.find((x) => x.symbol === m.symbol);
                return (
                  <TableRow key={m.symbol} hover>
                    <TableCell>
                      <Link component={RouterLink} to={`/trade/${m.symbol}`} sx={{ fontWeight: 600 }}>
                        {m.symbol}
                      </Link>
                      {m.status === 'halted' && (
                        <Typography component="span" variant="caption" color="warning.main" sx={{ ml: 1 }}>
                          halted
                        </Typography>
                      )}
                    </TableCell>
                    <TableCell align="right" sx={{ fontVariantNumeric: 'tabular-nums' }}>
                      {formatPrice(t?.last, m)}
                    </TableCell>
                    <TableCell align="right" sx={{ color: changeColor(t?.changePercent24h), fontVariantNumeric: 'tabular-nums' }}>
                      {formatPercent(t?.changePercent24h)}
                    </TableCell>
                    <TableCell align="right" sx={{ display: { xs: 'none', sm: 'table-cell' }, fontVariantNumeric: 'tabular-nums' }}>
                      {formatPrice(t?.high24h, m)}
                    </TableCell>
                    <TableCell align="right" sx={{ display: { xs: 'none', sm: 'table-cell' }, fontVariantNumeric: 'tabular-nums' }}>
                      {formatPrice(t?.low24h, m)}
                    </TableCell>
                    <TableCell align="right" sx={{ display: { xs: 'none', md: 'table-cell' }, fontVariantNumeric: 'tabular-nums' }}>
                      {t ? `${formatSize(t.volume24h, m)} ${m.baseAsset}` : '—'}
                      {t && (
                        <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                          {formatQuote(t.quoteVolume24h, m)} {m.quoteAsset}
                        </Typography>
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Stack>
  );
}
