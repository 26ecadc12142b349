import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
import CircularProgress from '@mui/material/CircularProgress';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { alpha, useTheme } from '@mui/material/styles';
import { Decimal } from '../../money/money';
import { type BookState, type DepthRow, depthRows, spread } from './orderBook';
import { formatPrice, formatSize } from './format';
import type { Market } from './tradingApi';

const depth = 12;

function Level({ row, max, side, market, onPick }: { row: DepthRow; max: Decimal; side: 'bid' | 'ask'; market: Market; onPick: (price: string) => void }) {
  const theme = useTheme();
  const color = side === 'bid' ? theme.palette.success.main : theme.palette.error.main;
  const width = max.isZero() ? 0 : row.cumulative.dividedBy(max).times(100).toDecimalPlaces(1).toNumber();
  const price = formatPrice(row.price, market);
  const size = formatSize(row.quantity, market);
  return (
    <ButtonBase
      onClick={() => onPick(row.price)}
      aria-label={`${side === 'bid' ? 'Bid' : 'Ask'} ${price} ${market.quoteAsset}, ${size} ${market.baseAsset}: use this price`}
      sx={{
        display: 'grid',
        gridTemplateColumns: '1fr 1fr',
        width: '100%',
        px: 1,
        py: 0.25,
        fontVariantNumeric: 'tabular-nums',
        fontSize: 13,
        // The depth bar: the running total against the deepest shown level, drawn from the right.
        background: `linear-gradient(to left, ${alpha(color, 0.16)} ${width}%, transparent ${width}%)`,
        '&:hover, &.Mui-focusVisible': { bgcolor: 'action.hover' },
      }}
    >
      <Box component="span" sx={{ color, textAlign: 'left' }}>
        {price}
      </Box>
      <Box component="span" sx={{ textAlign: 'right' }}>
        {size}
      </Box>
    </ButtonBase>
  );
}

/** Asks above, bids below, the spread between; a click on a level puts its price in the order form. */
export function OrderBookPanel({ market, book, onPickPrice }: { market: Market; book: BookState; onPickPrice: (price: string) => void }) {
  const asks = depthRows(book.asks, depth);
  const bids = depthRows(book.bids, depth);
  const max = Decimal.max(asks.at(-1)?.cumulative ?? 0, bids.at(-1)?.cumulative ?? 0);
  const gap = spread(book);
  const best = book.bids[0] && book.asks[0] ? new Decimal(book.asks[0][0]).plus(book.bids[0][0]).dividedBy(2) : null;
  const empty = asks.length === 0 && bids.length === 0;
  return (
    <Paper variant="outlined" component="section" aria-label="Order book" sx={{ py: 1 }}>
      <Typography variant="subtitle2" component="h2" sx={{ px: 1.5, pb: 0.5 }}>
        Order book
      </Typography>
      <Box sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', px: 1, color: 'text.secondary', fontSize: 12 }}>
        <span>Price ({market.quoteAsset})</span>
        <Box component="span" sx={{ textAlign: 'right' }}>
          Amount ({market.baseAsset})
        </Box>
      </Box>
      {empty && book.status === 'syncing' && (
        <Box sx={{ display: 'flex', justifyContent: 'center', py: 3 }}>
          <CircularProgress size={24} aria-label="Loading the order book" />
        </Box>
      )}
      {empty && book.status === 'live' && (
        <Typography variant="body2" color="text.secondary" sx={{ px: 1.5, py: 2 }}>
          No orders in the book.
        </Typography>
      )}
      {!empty && (
        <>
          <Box role="list" aria-label="Asks" sx={{ display: 'flex', flexDirection: 'column-reverse' }}>
            {asks.map((row) => (
              <Box role="listitem" key={row.price}>
                <Level row={row} max={max} side="ask" market={market} onPick={onPickPrice} />
              </Box>
            ))}
          </Box>
          <Box sx={{ px: 1.5, py: 0.5, borderBlock: 1, borderColor: 'divider', fontSize: 13, display: 'flex', justifyContent: 'space-between' }}>
            <span>{best ? formatPrice(best, market) : '—'}</span>
            <Box component="span" sx={{ color: 'text.secondary' }}>
              Spread {gap ? formatPrice(gap, market) : '—'}
            </Box>
          </Box>
          <Box role="list" aria-label="Bids">
            {bids.map((row) => (
              <Box role="listitem" key={row.price}>
                <Level row={row} max={max} side="bid" market={market} onPick={onPickPrice} />
              </Box>
            ))}
          </Box>
        </>
      )}
    </Paper>
  );
}
