import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { GridColDef } from '@mui/x-data-grid';
import { useMemo, useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { idColumn, timeColumn } from '../../table/columns';
import { useCursorPages } from '../../table/cursorPages';
import { DataTable } from '../../table/DataTable';
import { type ReconciliationRun, type ReconciliationStatus, useReconciliationQuery } from './reconciliationApi';

const statusLabels: Record<ReconciliationStatus, string> = {
  succeeded: 'Balanced',
  failed: 'Discrepancies found',
  error: 'Could not run',
};

const statusColors = { succeeded: 'success', failed: 'error', error: 'warning' } as const;

/** The Worker reconciles every minute; refreshing at the same pace shows each run as it lands. */
const pollingInterval = 30_000;

export function ReconciliationPage() {
  const pages = useCursorPages();
  const [selected, setSelected] = useState<string | null>(null);
  const result = useReconciliationQuery(
    { limit: 20, ...(pages.cursor !== undefined && { cursor: pages.cursor }) },
    { pollingInterval },
  );
  const { data, isLoading, error, refetch } = result;
  const columns = useMemo<GridColDef<ReconciliationRun>[]>(
    () => [
      timeColumn('finishedAt', 'Finished', (run) => run.finishedAt),
      {
        field: 'status',
        headerName: 'Status',
        minWidth: 170,
        valueGetter: (_v, run) => statusLabels[run.status],
        renderCell: ({ row: run }) => <Chip size="small" color={statusColors[run.status]} label={statusLabels[run.status]} />,
      },
      countColumn('discrepancyCount', 'Discrepancies', (run) => (run.status === 'error' ? null : run.discrepancyCount)),
      countColumn('postings', 'Postings', (run) => run.counts['postings'] ?? null),
      countColumn('orders', 'Orders', (run) => run.counts['orders'] ?? null),
      countColumn('trades', 'Trades', (run) => run.counts['trades'] ?? null),
      { field: 'duration', headerName: 'Duration', minWidth: 90, valueGetter: (_v, run) => durationMs(run), valueFormatter: (_v, run) => duration(run) },
      timeColumn('startedAt', 'Started', (run) => run.startedAt),
      idColumn('instance', 'Replica', (run) => run.instance),
      {
        field: 'details',
        // Named, even over a column of buttons: an empty column header is read as nothing (axe: empty-table-header).
        headerName: 'Details',
        sortable: false,
        hideable: false,
        minWidth: 90,
        renderCell: ({ row: run }) =>
          run.status !== 'succeeded' && (
            <Button size="small" onClick={() => setSelected(run.id)} aria-label={`Details of the run finished ${formatDate(run.finishedAt)}`}>
              Details
            </Button>
          ),
      },
    ],
    [],
  );
  const shown = data?.items.find((r) => r.id === selected) ?? (data?.latest?.status === 'succeeded' ? null : data?.latest) ?? null;

  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        Reconciliation
      </Typography>
      <Typography color="text.secondary">
        The Worker checks the ledger and the exchange against each other every minute: postings, balances, holds, trades, fees and commands.
      </Typography>
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="the reconciliation runs" />
      ) : (
        <>
          {error && <ProblemAlert problem={error} />}
          <LatestStatus latest={data.latest} lastSuccessAt={data.lastSuccessAt} />
          {shown && <Discrepancies run={shown} />}
          <DataTable
            list="admin.reconciliation"
            label="Reconciliation runs"
            what="the reconciliation runs"
            columns={columns}
            hiddenColumns={['startedAt', 'instance']}
            getRowId={(run) => run.id}
            result={{ ...result, data }}
            pages={pages}
            pageSize={20}
            emptyText="No runs yet."
            selectedRowId={shown?.id ?? null}
          />
        </>
      )}
    </Stack>
  );
}

function LatestStatus({ latest, lastSuccessAt }: { latest: ReconciliationRun | null; lastSuccessAt: string | null }) {
  if (!latest) {
    return <Alert severity="info">The Worker has not reconciled yet. Its first run starts within a minute of its start.</Alert>;
  }
  const since = `Last balanced run: ${lastSuccessAt ? formatDate(lastSuccessAt) : 'never'}.`;
  switch (latest.status) {
    case 'succeeded':
      return (
        <Alert severity="success">
          <AlertTitle>The ledger is balanced</AlertTitle>
          Last run {formatDate(latest.finishedAt)}: every check passed.
        </Alert>
      );
    case 'failed':
      return (
        <Alert severity="error">
          <AlertTitle>
            {latest.discrepancyCount} {latest.discrepancyCount === 1 ? 'discrepancy' : 'discrepancies'} found
          </AlertTitle>
          Run of {formatDate(latest.finishedAt)}. {since} Do not correct balances by hand: follow the runbook in docs/operations.md.
        </Alert>
      );
    default:
      return (
        <Alert severity="warning">
          <AlertTitle>The last run could not complete</AlertTitle>
          {latest.error ?? 'Unknown error.'} {since}
        </Alert>
      );
  }
}

function Discrepancies({ run }: { run: ReconciliationRun }) {
  if (run.status === 'error') {
    return null;
  }
  return (
    <Stack spacing={1}>
      <Typography variant="h6" component="h2">
        Discrepancies of the run finished {formatDate(run.finishedAt)}
      </Typography>
      {run.discrepancies.length < run.discrepancyCount && (
        <Typography color="text.secondary">
          Showing the first {run.discrepancies.length} of {run.discrepancyCount}; the Worker's log has them all.
        </Typography>
      )}
      <TableContainer component={Paper} variant="outlined">
        <Table size="small" aria-label="Discrepancies">
          <TableHead>
            <TableRow>
              <TableCell>Check</TableCell>
              <TableCell>Kind</TableCell>
              <TableCell>Subject</TableCell>
              <TableCell>Expected</TableCell>
              <TableCell>Actual</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {run.discrepancies.map((d, i) => (
              <TableRow key={`${d.check}-${d.kind}-${d.subject}-${i}`}>
                <TableCell>{d.check}</TableCell>
                <TableCell>{d.kind}</TableCell>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: '0.8rem' }}>{d.subject}</TableCell>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: '0.8rem' }}>{d.expected}</TableCell>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: '0.8rem' }}>{d.actual}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Stack>
  );
}

function durationMs(run: ReconciliationRun): number | null {
  const ms = new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime();
  return Number.isNaN(ms) ? null : ms;
}

function duration(run: ReconciliationRun): string {
  const ms = durationMs(run);
  return ms === null ? '—' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const counts = new Intl.NumberFormat();

/** A count, right-aligned with the locale's thousands separators; '—' when the run did not count it. */
function countColumn(field: string, headerName: string, value: (run: ReconciliationRun) => number | null): GridColDef<ReconciliationRun> {
  return {
    field,
    headerName,
    type: 'number',
    minWidth: 110,
    valueGetter: (_v, run) => value(run),
    valueFormatter: (v: number | null) => (v === null ? '—' : counts.format(v)),
  };
}
