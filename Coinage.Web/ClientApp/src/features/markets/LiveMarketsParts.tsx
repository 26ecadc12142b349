import Link from '@mui/material/Link';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router';
import { QueryState } from '../../forms/QueryState';
import type { Market } from '../trade/tradingApi';
import type { LiveMarkets } from './useLiveMarkets';

/** Loading, errors (of the markets, or of their prices alone) and the empty list, above a table of live markets. */
export function LiveMarketsStatus({ live }: { live: LiveMarkets }) {
  const { markets, tickers, rows } = live;
  return (
    <>
      <QueryState isLoading={markets.isLoading} error={markets.error} onRetry={() => void markets.refetch()} label="markets" />
      {tickers.error && <QueryState isLoading={false} error={tickers.error} onRetry={() => void tickers.refetch()} label="prices" />}
      {markets.isSuccess && rows.length === 0 && <Typography color="text.secondary">No markets are listed yet.</Typography>}
    </>
  );
}

/** A market's symbol linking to its trade page, marked when halted. */
export function MarketSymbolLink({ market }: { market: Market }) {
  return (
    <>
      <Link component={RouterLink} to={`/trade/${market.symbol}`} sx={{ fontWeight: 600 }}>
        {market.symbol}
      </Link>
      {market.status === 'halted' && (
        <Typography component="span" variant="caption" color="warning.main" sx={{ ml: 1 }}>
          halted
        </Typography>
      )}
    </>
  );
}
