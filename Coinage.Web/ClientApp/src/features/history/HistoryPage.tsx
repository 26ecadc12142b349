import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useAssetFormat } from '../../money/assetsApi';
import { useCursorPages } from '../../table/cursorPages';
import { DataTable } from '../../table/DataTable';
import { ExportCsvButton } from '../../table/ExportCsvButton';
import { searchParams } from '../compliance/complianceApi';
import { useGetMarketsQuery } from '../trade/tradingApi';
import { fillColumns, fillColumnsHidden, orderColumns, orderColumnsHidden, orderStatusLabels } from './historyColumns';
import { type HistoryFilter, useSearchOrdersQuery, useSearchTradesQuery } from './historyApi';
import { dateRangeError, type HistoryQuery, readHistoryQuery, toApiFilter, writeHistoryQuery } from './historyFilters';

const pageSize = 50;

/**
 * The trader's orders and fills. The filters (market, side, status or liquidity, days, order id) live in the URL's
 * query string: a filtered history can be bookmarked or shared, and the browser's back button undoes a filter.
 * The API applies them (and refuses bad ones with the field named); the CSV export takes the same ones.
 */
export function HistoryPage() {
  const [params, setParams] = useSearchParams();
  const query = readHistoryQuery(params);
  // Another filter is another list: keyed by the query, it starts again from its first page.
  const queryKey = writeHistoryQuery(query).toString();

  const change = (next: Partial<HistoryQuery>) => setParams(writeHistoryQuery({ ...query, ...next }));
  const rangeError = dateRangeError(query);
  const filter: HistoryFilter = toApiFilter(query);

  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        History
      </Typography>
      <Tabs value={query.view} onChange={(_e, view: HistoryQuery['view']) => change({ view })} aria-label="History">
        <Tab value="orders" label="Orders" />
        <Tab value="fills" label="Fills" />
      </Tabs>
      <Filters query={query} rangeError={rangeError} onChange={change} />
      {query.view === 'orders' ? (
        <OrdersList key={queryKey} filter={filter} skip={rangeError !== undefined} />
      ) : (
        <FillsList key={queryKey} filter={filter} skip={rangeError !== undefined} />
      )}
    </Stack>
  );
}

function Filters({ query, rangeError, onChange }: { query: HistoryQuery; rangeError: string | undefined; onChange: (next: Partial<HistoryQuery>) => void }) {
  const markets = useGetMarketsQuery();
  // The order id is typed: it applies on Enter or "Search", not on each key.
  const [q, setQ] = useState(query.q);
  useEffect(() => setQ(query.q), [query.q]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ q: q.trim() });
  };
  const symbols = markets.data?.map((m) => m.symbol) ?? [];
  return (
    <Box
      component="form"
      noValidate
      onSubmit={submit}
      aria-label="Filter the history"
      sx={{ display: 'grid', gap: 1, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr', md: 'repeat(6, 1fr) auto' }, alignItems: 'start' }}
    >
      <TextField select label="Market" size="small" value={symbols.includes(query.market) || query.market === '' ? query.market : ''} onChange={(e) => onChange({ market: e.target.value })}>
        <MenuItem value="">All markets</MenuItem>
        {symbols.map((s) => (
          <MenuItem key={s} value={s}>
            {s}
          </MenuItem>
        ))}
      </TextField>
      <TextField select label="Side" size="small" value={query.side === 'buy' || query.side === 'sell' ? query.side : ''} onChange={(e) => onChange({ side: e.target.value })}>
        <MenuItem value="">Both sides</MenuItem>
        <MenuItem value="buy">Buy</MenuItem>
        <MenuItem value="sell">Sell</MenuItem>
      </TextField>
      {query.view === 'orders' ? (
        <TextField select label="Status" size="small" value={query.status in orderStatusLabels ? query.status : ''} onChange={(e) => onChange({ status: e.target.value })}>
          <MenuItem value="">Any status</MenuItem>
          {Object.entries(orderStatusLabels).map(([value, label]) => (
            <MenuItem key={value} value={value}>
              {label}
            </MenuItem>
          ))}
        </TextField>
      ) : (
        <TextField select label="Liquidity" size="small" value={query.liquidity === 'maker' || query.liquidity === 'taker' ? query.liquidity : ''} onChange={(e) => onChange({ liquidity: e.target.value })}>
          <MenuItem value="">Maker or taker</MenuItem>
          <MenuItem value="maker">Maker</MenuItem>
          <MenuItem value="taker">Taker</MenuItem>
        </TextField>
      )}
      <TextField label="From" type="date" size="small" value={query.from} onChange={(e) => onChange({ from: e.target.value })} slotProps={{ inputLabel: { shrink: true } }} />
      <TextField
        label="To"
        type="date"
        size="small"
        value={query.to}
        onChange={(e) => onChange({ to: e.target.value })}
        error={rangeError !== undefined}
        helperText={rangeError}
        slotProps={{ inputLabel: { shrink: true } }}
      />
      {query.view === 'orders' ? (
        <TextField label="Order id" size="small" value={q} onChange={(e) => setQ(e.target.value)} helperText="Order id or client order id" slotProps={{ htmlInput: { maxLength: 64 } }} />
      ) : (
        <span />
      )}
      <Stack direction="row" spacing={1}>
        {query.view === 'orders' && (
          <Button type="submit" variant="contained">
            Search
          </Button>
        )}
        <Button
          onClick={() => onChange({ q: '', market: '', side: '', status: '', liquidity: '', from: '', to: '' })}
          disabled={writeHistoryQuery({ ...query, view: 'orders' }).toString() === ''}
        >
          Clear
        </Button>
      </Stack>
    </Box>
  );
}

function OrdersList({ filter, skip }: { filter: HistoryFilter; skip: boolean }) {
  const pages = useCursorPages();
  const { precision } = useAssetFormat();
  const columns = useMemo(() => orderColumns(precision), [precision]);
  const result = useSearchOrdersQuery({ ...filter, limit: pageSize, ...(pages.cursor !== undefined && { cursor: pages.cursor }) }, { skip });
  return (
    <DataTable
      list="history.orders"
      label="Orders"
      what="your orders"
      columns={columns}
      hiddenColumns={orderColumnsHidden}
      getRowId={(o) => o.id}
      result={result}
      pages={pages}
      pageSize={pageSize}
      emptyText="No orders match."
      actions={<ExportCsvButton path="/api/v1/orders/export.csv" params={searchParams({ ...filter })} fallbackName="coinage-orders.csv" />}
    />
  );
}

function FillsList({ filter, skip }: { filter: HistoryFilter; skip: boolean }) {
  const pages = useCursorPages();
  const { precision } = useAssetFormat();
  const columns = useMemo(() => fillColumns(precision), [precision]);
  const result = useSearchTradesQuery({ ...filter, limit: pageSize, ...(pages.cursor !== undefined && { cursor: pages.cursor }) }, { skip });
  return (
    <DataTable
      list="history.fills"
      label="Fills"
      what="your fills"
      columns={columns}
      hiddenColumns={fillColumnsHidden}
      getRowId={(f) => `${f.id}-${f.liquidity}`}
      result={result}
      pages={pages}
      pageSize={pageSize}
      emptyText="No fills match."
      actions={<ExportCsvButton path="/api/v1/fills/export.csv" params={searchParams({ ...filter })} fallbackName="coinage-fills.csv" />}
    />
  );
}
