import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tabs from '@mui/material/Tabs';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { useForm } from '../../forms/useForm';
import { CursorPager, useCursorPages } from '../admin/CursorPager';
import { closeReasonText } from '../trade/closeReasons';
import { type HistoryFilter, useSearchOrdersQuery, useSearchTradesQuery } from './historyApi';

type View = 'orders' | 'trades';

const statuses = ['pending', 'untriggered', 'open', 'partially_filled', 'filled', 'cancelled', 'rejected'];

function toIso(local: string): string | undefined {
  if (!local) {
    return undefined;
  }
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The trader's order and trade history, searchable by id, market, side, status or liquidity and time. */
export function HistoryPage() {
  const [view, setView] = useState<View>('orders');
  const [filter, setFilter] = useState<HistoryFilter>({});
  const pages = useCursorPages();
  const form = useForm(
    { q: '', market: '', side: '', status: '', liquidity: '', from: '', to: '' },
    {
      validate: (v) => ({
        q: v.q.length > 64 ? 'At most 64 characters.' : undefined,
        market: v.market === '' || /^[A-Za-z0-9]{1,12}-[A-Za-z0-9]{1,12}$/.test(v.market.trim()) ? undefined : 'A market such as BTC-USD.',
        to: v.from && v.to && v.to <= v.from ? 'Must be after “From”.' : undefined,
      }),
      hints: { q: 'Order id or client order id' },
    },
  );
  const submit = form.handleSubmit((v) => {
    pages.reset();
    const from = toIso(v.from);
    const to = toIso(v.to);
    setFilter({
      ...(v.q.trim() !== '' && { q: v.q.trim() }),
      ...(v.market.trim() !== '' && { market: v.market.trim().toUpperCase() }),
      ...(v.side !== '' && { side: v.side }),
      ...(v.status !== '' && { status: v.status }),
      ...(v.liquidity !== '' && { liquidity: v.liquidity }),
      ...(from !== undefined && { from }),
      ...(to !== undefined && { to }),
    });
  });
  const args = { ...filter, limit: 50, ...(pages.cursor !== undefined && { cursor: pages.cursor }) };

  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        History
      </Typography>
      <Tabs
        value={view}
        onChange={(_e, next: View) => {
          pages.reset();
          setView(next);
        }}
        aria-label="History"
      >
        <Tab value="orders" label="Orders" />
        <Tab value="trades" label="Trades" />
      </Tabs>
      <Box
        component="form"
        noValidate
        onSubmit={submit}
        aria-label="Search the history"
        sx={{ display: 'grid', gap: 1, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr', md: 'repeat(4, 1fr)' }, alignItems: 'start' }}
      >
        {view === 'orders' && <TextField {...form.text('q')} label="Order id" size="small" />}
        <TextField {...form.text('market')} label="Market" size="small" placeholder="BTC-USD" />
        <TextField {...form.text('side')} select label="Side" size="small">
          <MenuItem value="">Any</MenuItem>
          <MenuItem value="buy">Buy</MenuItem>
          <MenuItem value="sell">Sell</MenuItem>
        </TextField>
        {view === 'orders' ? (
          <TextField {...form.text('status')} select label="Status" size="small">
            <MenuItem value="">Any</MenuItem>
            {statuses.map((s) => (
              <MenuItem key={s} value={s}>
                {s.replace('_', ' ')}
              </MenuItem>
            ))}
          </TextField>
        ) : (
          <TextField {...form.text('liquidity')} select label="Liquidity" size="small">
            <MenuItem value="">Any</MenuItem>
            <MenuItem value="maker">Maker</MenuItem>
            <MenuItem value="taker">Taker</MenuItem>
          </TextField>
        )}
        <TextField {...form.text('from')} label="From" type="datetime-local" size="small" slotProps={{ inputLabel: { shrink: true } }} />
        <TextField {...form.text('to')} label="To" type="datetime-local" size="small" slotProps={{ inputLabel: { shrink: true } }} />
        <Button type="submit" variant="contained">
          Search
        </Button>
      </Box>
      {view === 'orders' ? <OrdersTable args={args} pages={pages} /> : <TradesTable args={args} pages={pages} />}
    </Stack>
  );
}

type Pages = ReturnType<typeof useCursorPages>;

function OrdersTable({ args, pages }: { args: HistoryFilter; pages: Pages }) {
  const { data, isLoading, isFetching, error, refetch } = useSearchOrdersQuery(args);
  if (!data) {
    return <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="your orders" />;
  }
  return (
    <>
      {error && <ProblemAlert problem={error} />}
      {data.items.length === 0 ? (
        <Typography color="text.secondary">No orders match.</Typography>
      ) : (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="Orders" aria-busy={isFetching}>
            <TableHead>
              <TableRow>
                <TableCell>Time</TableCell>
                <TableCell>Market</TableCell>
                <TableCell>Side</TableCell>
                <TableCell>Type</TableCell>
                <TableCell align="right">Price</TableCell>
                <TableCell align="right">Amount</TableCell>
                <TableCell align="right">Filled</TableCell>
                <TableCell align="right">Average</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Order id</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.items.map((o) => (
                <TableRow key={o.id}>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDate(o.createdAt)}</TableCell>
                  <TableCell>{o.market}</TableCell>
                  <TableCell>{o.side}</TableCell>
                  <TableCell>{o.type.replaceAll('_', ' ')}</TableCell>
                  <TableCell align="right">{o.price ?? '—'}</TableCell>
                  <TableCell align="right">{o.quantity ?? (o.quoteAmount !== null ? `${o.quoteAmount} (quote)` : '—')}</TableCell>
                  <TableCell align="right">{o.filledQuantity}</TableCell>
                  <TableCell align="right">{o.averagePrice ?? '—'}</TableCell>
                  <TableCell>
                    {o.status.replace('_', ' ')}
                    {closeReasonText(o.closeReason) && (
                      <Typography variant="caption" color="text.secondary" component="div">
                        {closeReasonText(o.closeReason)}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell sx={{ fontFamily: 'monospace', fontSize: '0.75rem' }}>{o.clientOrderId ? `${o.id} · ${o.clientOrderId}` : o.id}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      <CursorPager page={pages.page} nextCursor={data.nextCursor} onNext={pages.next} onPrevious={pages.previous} disabled={isFetching} />
    </>
  );
}

function TradesTable({ args, pages }: { args: HistoryFilter; pages: Pages }) {
  const { data, isLoading, isFetching, error, refetch } = useSearchTradesQuery(args);
  if (!data) {
    return <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="your trades" />;
  }
  return (
    <>
      {error && <ProblemAlert problem={error} />}
      {data.items.length === 0 ? (
        <Typography color="text.secondary">No trades match.</Typography>
      ) : (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="Trades" aria-busy={isFetching}>
            <TableHead>
              <TableRow>
                <TableCell>Time</TableCell>
                <TableCell>Market</TableCell>
                <TableCell>Side</TableCell>
                <TableCell>Liquidity</TableCell>
                <TableCell align="right">Price</TableCell>
                <TableCell align="right">Amount</TableCell>
                <TableCell align="right">Total</TableCell>
                <TableCell align="right">Fee</TableCell>
                <TableCell>Order id</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.items.map((f) => (
                <TableRow key={`${f.id}-${f.liquidity}`}>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDate(f.createdAt)}</TableCell>
                  <TableCell>{f.market}</TableCell>
                  <TableCell>{f.side}</TableCell>
                  <TableCell>{f.liquidity}</TableCell>
                  <TableCell align="right">{f.price}</TableCell>
                  <TableCell align="right">{f.quantity}</TableCell>
                  <TableCell align="right">{f.quoteAmount}</TableCell>
                  <TableCell align="right">{`${f.fee} ${f.feeAsset}`}</TableCell>
                  <TableCell sx={{ fontFamily: 'monospace', fontSize: '0.75rem' }}>{f.orderId}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      <CursorPager page={pages.page} nextCursor={data.nextCursor} onNext={pages.next} onPrevious={pages.previous} disabled={isFetching} />
    </>
  );
}
