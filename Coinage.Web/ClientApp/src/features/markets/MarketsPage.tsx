import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { formatPercent } from '../../money/money';
import { changeColor, formatPrice, formatQuote, formatSize } from '../trade/format';
import { LiveMarketsStatus, MarketSymbolLink } from './LiveMarketsParts';
import { useLiveMarkets } from './useLiveMarkets';

/** Every market with its 24h figures: REST tickers first, then the hub's `ticker` messages patch them in place. */
export function MarketsPage() {
  const live = useLiveMarkets();
  const { rows, tickerOf } = live;
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">
        Markets
      </Typography>
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
                const t = tickerOf(m.symbol);
                return (
                  <TableRow key={m.symbol} hover>
                    <TableCell>
                      <MarketSymbolLink market={m} />
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
