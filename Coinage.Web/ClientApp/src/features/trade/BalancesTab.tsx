import Link from '@mui/material/Link';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router';
import { QueryState } from '../../forms/QueryState';
import { Decimal, formatAmount } from '../../money/money';
import { type Balance, type Market, useGetTradingBalancesQuery } from './tradingApi';

/** Each asset's precision, as the markets that trade it state it (the base or quote precision). */
export function assetPrecisions(markets: readonly Market[]): Map<string, number> {
  const precisions = new Map<string, number>();
  for (const m of markets) {
    precisions.set(m.baseAsset, m.basePrecision);
    precisions.set(m.quoteAsset, m.quotePrecision);
  }
  return precisions;
}

/** The market's two assets first (always, even at zero), then every other asset the trader holds, by name. */
export function balanceRows(balances: readonly Balance[], market: Market): Balance[] {
  const own = [market.baseAsset, market.quoteAsset];
  const empty = (asset: string): Balance => ({ asset, available: '0', held: '0', total: '0' });
  const first = own.map((asset) => balances.find((b) => b.asset === asset) ?? empty(asset));
  const rest = balances.filter((b) => !own.includes(b.asset) && !new Decimal(b.total).isZero()).sort((a, b) => a.asset.localeCompare(b.asset));
  return [...first, ...rest];
}

/** The bottom panel's Balances tab: what the trader has, and what their orders hold, in each asset. */
export function BalancesTab({ market, markets }: { market: Market; markets: readonly Market[] }) {
  // The ticket's query: the hub's `balance` events patch this cache in place (docs/frontend.md, Real-time model).
  const query = useGetTradingBalancesQuery();
  const precisions = assetPrecisions(markets);
  const rows = query.data ? balanceRows(query.data, market) : [];
  const amount = (asset: string, value: string) => formatAmount(value, precisions.get(asset) ?? 8);
  return (
    <>
      <QueryState isLoading={query.isLoading} error={query.error} onRetry={() => void query.refetch()} label="balances" />
      {rows.length > 0 && (
        <TableContainer>
          <Table size="small" aria-label="Balances" sx={{ '& td, & th': { fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' } }}>
            <TableHead>
              <TableRow>
                <TableCell>Asset</TableCell>
                <TableCell align="right">Available</TableCell>
                <TableCell align="right">In orders</TableCell>
                <TableCell align="right">Total</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((b) => (
                <TableRow key={b.asset}>
                  <TableCell>{b.asset}</TableCell>
                  <TableCell align="right">{amount(b.asset, b.available)}</TableCell>
                  <TableCell align="right">{amount(b.asset, b.held)}</TableCell>
                  <TableCell align="right">{amount(b.asset, b.total)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      {query.isSuccess && (
        <Typography variant="body2" sx={{ px: 2, py: 1 }}>
          <Link component={RouterLink} to="/wallet">
            Deposit or withdraw in the wallet
          </Link>
        </Typography>
      )}
    </>
  );
}
