import Alert from '@mui/material/Alert';
import Link from '@mui/material/Link';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Link as RouterLink } from 'react-router';
import { useRealtime } from '../../app/hooks';
import { QueryState } from '../../forms/QueryState';
import { formatAmount } from '../../money/money';
import { formatPrice, formatSize } from '../trade/format';
import { type Market, useGetFillsQuery, useGetMarketsQuery, useGetOpenOrdersQuery } from '../trade/tradingApi';
import { AllocationChart } from './AllocationChart';
import { type Holding, useGetPortfolioHistoryQuery, useGetPortfolioQuery } from './portfolioApi';
import { assetPrecision, defaultQuote, listedAssets, rememberQuote, storedQuote } from './quoteChoice';
import { ValueChart } from './ValueChart';

const ranges = [7, 30, 90, 365] as const;
const listLength = 10;
const numeric = { fontVariantNumeric: 'tabular-nums' } as const;
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

function Section({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  const id = `portfolio-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Paper component="section" variant="outlined" aria-labelledby={id} sx={{ p: { xs: 2, sm: 3 } }}>
      <Stack direction="row" sx={{ justifyContent: 'space-between', alignItems: 'center', mb: 2, gap: 1, flexWrap: 'wrap' }}>
        <Typography id={id} variant="h6" component="h2">
          {title}
        </Typography>
        {action}
      </Stack>
      {children}
    </Paper>
  );
}

/**
 * A balance, a fill or a funding step changes what the portfolio is worth: refetch it, at most once per burst
 * (a fill moves two balances, and the hub sends each).
 */
function useRefetchOnBalance(refetch: () => void) {
  const realtime = useRealtime();
  const latest = useRef(refetch);
  latest.current = refetch;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => latest.current(), 300);
    };
    const leave = realtime.subscribePrivate({ balance: schedule });
    return () => {
      clearTimeout(timer);
      leave();
    };
  }, [realtime]);
}

/** The signed-in trader's home: what they hold and what it is worth, how that moved, and their open orders and recent fills. */
export function PortfolioOverview() {
  const markets = useGetMarketsQuery();
  const [chosen, setQuote] = useState(storedQuote);
  const [days, setDays] = useState<(typeof ranges)[number]>(30);
  const marketList = markets.data ?? [];
  const assets = listedAssets(marketList);
  // A remembered asset no market lists any more (delisted, another deployment) falls back to the default.
  const quote = assets.length === 0 || assets.includes(chosen) ? chosen : assets.includes(defaultQuote) ? defaultQuote : assets[0]!;
  const portfolio = useGetPortfolioQuery(quote);
  const history = useGetPortfolioHistoryQuery({ quote, days });
  const { refetch: refetchPortfolio } = portfolio;
  const { refetch: refetchHistory } = history;
  useRefetchOnBalance(() => {
    void refetchPortfolio();
    void refetchHistory();
  });

  const precision = assetPrecision(marketList, quote);
  const choose = (code: string) => {
    setQuote(code);
    rememberQuote(code);
  };
  const unpriced = portfolio.data?.holdings.filter((h) => h.value === null).map((h) => h.asset) ?? [];

  return (
    <Stack spacing={3}>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ justifyContent: 'space-between', alignItems: { sm: 'flex-end' } }}>
        <div>
          <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
            Portfolio
          </Typography>
          <Typography color="text.secondary">Total value</Typography>
          <Typography aria-live="polite" sx={{ ...numeric, fontSize: { xs: '1.75rem', sm: '2.25rem' }, fontWeight: 600 }} data-testid="portfolio-total">
            {portfolio.data ? `${formatAmount(portfolio.data.value, precision)} ${portfolio.data.quote}` : '—'}
          </Typography>
        </div>
        <TextField
          select
          size="small"
          label="Value in"
          value={assets.includes(quote) ? quote : ''}
          onChange={(e) => choose(e.target.value)}
          sx={{ minWidth: 120 }}
          disabled={assets.length === 0}
        >
          {assets.map((a) => (
            <MenuItem key={a} value={a}>
              {a}
            </MenuItem>
          ))}
        </TextField>
      </Stack>
      <QueryState isLoading={portfolio.isLoading} error={portfolio.error} onRetry={() => void portfolio.refetch()} label="your portfolio" />
      {unpriced.length > 0 && (
        <Alert severity="info">
          No market prices {unpriced.join(', ')} in {quote} yet: {unpriced.length === 1 ? 'it is' : 'they are'} left out of the total.
        </Alert>
      )}
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={3} sx={{ '& > *': { flex: 1, minWidth: 0 } }}>
        <Section title="Allocation">{portfolio.data && <AllocationChart holdings={portfolio.data.holdings} />}</Section>
        <Section
          title="Value over time"
          action={
            <ToggleButtonGroup size="small" exclusive value={days} onChange={(_, v: (typeof ranges)[number] | null) => v && setDays(v)} aria-label="Period">
              {ranges.map((r) => (
                // Written out: an aria-label other than the visible "7d" fails WCAG 2.5.3 (label in name).
                <ToggleButton key={r} value={r} sx={{ textTransform: 'none' }}>
                  {r === 365 ? '1 year' : `${r} days`}
                </ToggleButton>
              ))}
            </ToggleButtonGroup>
          }
        >
          <QueryState isLoading={history.isLoading} error={history.error} onRetry={() => void history.refetch()} label="the value history" />
          {history.data && <ValueChart points={history.data.points} quote={history.data.quote} precision={precision} />}
        </Section>
      </Stack>
      <HoldingsTable quote={quote} precision={precision} markets={marketList} holdings={portfolio.data?.holdings ?? []} />
      <OpenOrders markets={marketList} />
      <RecentFills markets={marketList} />
    </Stack>
  );
}

function HoldingsTable({ holdings, quote, precision, markets }: { holdings: readonly Holding[]; quote: string; precision: number; markets: Market[] }) {
  if (holdings.length === 0) return null;
  return (
    <Section title="Holdings">
      <TableContainer>
        <Table size="small" aria-label="Holdings">
          <TableHead>
            <TableRow>
              <TableCell>Asset</TableCell>
              <TableCell align="right">Amount</TableCell>
              <TableCell align="right">Price ({quote})</TableCell>
              <TableCell align="right">Value ({quote})</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {holdings.map((h) => (
              <TableRow key={h.asset}>
                <TableCell component="th" scope="row">
                  {h.asset}
                </TableCell>
                <TableCell align="right" sx={numeric}>
                  {formatAmount(h.amount, assetPrecision(markets, h.asset))}
                </TableCell>
                <TableCell align="right" sx={numeric}>
                  {h.price === null ? 'no price' : formatAmount(h.price, Math.max(precision, 2))}
                </TableCell>
                <TableCell align="right" sx={numeric}>
                  {h.value === null ? '—' : formatAmount(h.value, precision)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Section>
  );
}

function OpenOrders({ markets }: { markets: Market[] }) {
  const orders = useGetOpenOrdersQuery({ limit: listLength });
  const items = orders.data?.items ?? [];
  return (
    <Section title="Open orders" action={<Link component={RouterLink} to="/history">All orders</Link>}>
      <QueryState isLoading={orders.isLoading} error={orders.error} onRetry={() => void orders.refetch()} label="open orders" />
      {orders.isSuccess && items.length === 0 && <Typography color="text.secondary">No open orders.</Typography>}
      {items.length > 0 && (
        <TableContainer>
          <Table size="small" aria-label="Open orders">
            <TableHead>
              <TableRow>
                <TableCell>Market</TableCell>
                <TableCell>Side</TableCell>
                <TableCell align="right">Price</TableCell>
                <TableCell align="right">Amount</TableCell>
                <TableCell align="right">Filled</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map((o) => {
                const m = markets.find((x) => x.symbol === o.market);
                return (
                  <TableRow key={o.id}>
                    <TableCell component="th" scope="row">
                      <Link component={RouterLink} to={`/trade/${o.market}`}>
                        {o.market}
                      </Link>
                    </TableCell>
                    <TableCell sx={{ color: o.side === 'buy' ? 'success.main' : 'error.main' }}>{o.side === 'buy' ? 'Buy' : 'Sell'}</TableCell>
                    <TableCell align="right" sx={numeric}>
                      {m ? formatPrice(o.price, m) : (o.price ?? 'market')}
                    </TableCell>
                    <TableCell align="right" sx={numeric}>
                      {m ? formatSize(o.quantity, m) : o.quantity}
                    </TableCell>
                    <TableCell align="right" sx={numeric}>
                      {m ? formatSize(o.filledQuantity, m) : o.filledQuantity}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Section>
  );
}

function RecentFills({ markets }: { markets: Market[] }) {
  const fills = useGetFillsQuery({});
  const items = (fills.data?.items ?? []).slice(0, listLength);
  return (
    <Section title="Recent fills" action={<Link component={RouterLink} to="/history">History</Link>}>
      <QueryState isLoading={fills.isLoading} error={fills.error} onRetry={() => void fills.refetch()} label="recent fills" />
      {fills.isSuccess && items.length === 0 && <Typography color="text.secondary">No fills yet.</Typography>}
      {items.length > 0 && (
        <TableContainer>
          <Table size="small" aria-label="Recent fills">
            <TableHead>
              <TableRow>
                <TableCell>Time</TableCell>
                <TableCell>Market</TableCell>
                <TableCell>Side</TableCell>
                <TableCell align="right">Price</TableCell>
                <TableCell align="right">Amount</TableCell>
                <TableCell align="right">Fee</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map((f) => {
                const m = markets.find((x) => x.symbol === f.market);
                return (
                  <TableRow key={f.id}>
                    <TableCell>
                      <time dateTime={f.createdAt}>{dateTime.format(new Date(f.createdAt))}</time>
                    </TableCell>
                    <TableCell component="th" scope="row">
                      {f.market}
                    </TableCell>
                    <TableCell sx={{ color: f.side === 'buy' ? 'success.main' : 'error.main' }}>{f.side === 'buy' ? 'Buy' : 'Sell'}</TableCell>
                    <TableCell align="right" sx={numeric}>
                      {m ? formatPrice(f.price, m) : f.price}
                    </TableCell>
                    <TableCell align="right" sx={numeric}>
                      {m ? formatSize(f.quantity, m) : f.quantity}
                    </TableCell>
                    <TableCell align="right" sx={numeric}>
                      {f.fee} {f.feeAsset}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Section>
  );
}
