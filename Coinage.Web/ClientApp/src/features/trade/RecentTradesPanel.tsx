import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { QueryState } from '../../forms/QueryState';
import { focusRing } from './focusRing';
import { formatPrice, formatSize, tapeTimeFormat, visuallyHidden } from './format';
import type { Market } from './tradingApi';
import { useRecentTrades } from './useMarketData';

/** The tape: newest first, coloured by the taker's side; as tall as its panel, scrolling inside it. */
export function RecentTradesPanel({ market }: { market: Market }) {
  const { trades, isLoading, error, refetch, isSuccess } = useRecentTrades(market.symbol);
  return (
    <Paper variant="outlined" component="section" aria-label="Recent trades" sx={{ py: 1, height: '100%', minHeight: 240, display: 'flex', flexDirection: 'column' }}>
      <Typography variant="subtitle2" component="h2" sx={{ px: 1.5, pb: 0.5 }}>
        Recent trades
      </Typography>
      <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="trades" />
      {isSuccess && trades.length === 0 && (
        <Typography variant="body2" color="text.secondary" sx={{ px: 1.5, py: 2 }}>
          No trades yet.
        </Typography>
      )}
      {trades.length > 0 && (
        // A scrollable region must be reachable by keyboard (axe: scrollable-region-focusable).
        <Box tabIndex={0} role="group" aria-label="Trades, newest first" sx={(theme) => ({ position: 'relative', flex: '1 1 0', minHeight: 0, overflowY: 'auto', '&:focus-visible': focusRing(theme) })}>
          {/* The column is 250 px wide at 1200–1535 px (TradePage): headings set like the order book's beside it (12 px,
              "Size"), 24-hour times and 6 px between columns, so "Price (USD) Size (BTC) Time" and the rows fit on one line
              each with room for a scroll bar. */}
          <Table
            stickyHeader
            size="small"
            aria-label="Trades"
            sx={{
              '& td, & th': { px: 0.75, py: 0.25, fontSize: 13, fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' },
              '& td:first-of-type, & th:first-of-type': { pl: 1 },
              '& td:last-of-type, & th:last-of-type': { pr: 1 },
              '& th': { fontSize: 12, color: 'text.secondary' },
            }}
          >
            <TableHead>
              <TableRow>
                <TableCell>Price ({market.quoteAsset})</TableCell>
                <TableCell align="right">Size ({market.baseAsset})</TableCell>
                <TableCell align="right">Time</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {trades.map((t) => (
                <TableRow key={t.id}>
                  <TableCell sx={{ color: t.side === 'buy' ? 'success.main' : 'error.main' }}>
                    {formatPrice(t.price, market)}
                    <Box component="span" sx={visuallyHidden}>
                      {t.side === 'buy' ? ' (buy)' : ' (sell)'}
                    </Box>
                  </TableCell>
                  <TableCell align="right">{formatSize(t.quantity, market)}</TableCell>
                  <TableCell align="right">{tapeTimeFormat.format(new Date(t.at))}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </Paper>
  );
}
