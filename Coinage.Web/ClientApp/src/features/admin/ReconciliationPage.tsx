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
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { CursorPager, useCursorPages } from './CursorPager';
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
  const { data, isLoading, isFetching, error, refetch } = useReconciliationQuery(
    { limit: 20, ...(pages.cursor !== undefined && { cursor: pages.cursor }) },
    { pollingInterval },
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
          {data.items.length === 0 ? (
            <Typography color="text.secondary">No runs yet.</Typography>
          ) : (
            <TableContainer component={Paper} variant="outlined">
              <Table size="small" aria-label="Reconciliation runs" aria-busy={isFetching}>
                <TableHead>
                  <TableRow>
                    <TableCell>Finished</TableCell>
                    <TableCell>Status</TableCell>
                    <TableCell align="right">Discrepancies</TableCell>
                    <TableCell align="right">Postings</TableCell>
                    <TableCell align="right">Orders</TableCell>
                    <TableCell align="right">Trades</TableCell>
                    <TableCell>Duration</TableCell>
                    <TableCell>Replica</TableCell>
                    <TableCell />
                  </TableRow>
                </TableHead>
                <TableBody>
                  {data.items.map((run) => (
                    <TableRow key={run.id} selected={run.id === shown?.id}>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDate(run.finishedAt)}</TableCell>
                      <TableCell>
                        <Chip size="small" color={statusColors[run.status]} label={statusLabels[run.status]} />
                      </TableCell>
                      <TableCell align="right">{run.status === 'error' ? '—' : run.discrepancyCount}</TableCell>
                      <TableCell align="right">{run.counts['postings'] ?? '—'}</TableCell>
                      <TableCell align="right">{run.counts['orders'] ?? '—'}</TableCell>
                      <TableCell align="right">{run.counts['trades'] ?? '—'}</TableCell>
                      <TableCell>{duration(run)}</TableCell>
                      <TableCell sx={{ fontFamily: 'monospace', fontSize: '0.75rem' }}>{run.instance}</TableCell>
                      <TableCell>
                        {run.status !== 'succeeded' && (
                          <Button size="small" onClick={() => setSelected(run.id)} aria-label={`Details of the run finished ${formatDate(run.finishedAt)}`}>
                            Details
                          </Button>
                        )}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          )}
          <CursorPager page={pages.page} nextCursor={data.nextCursor} onNext={pages.next} onPrevious={pages.previous} disabled={isFetching} />
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

function duration(run: ReconciliationRun): string {
  const ms = new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime();
  return Number.isNaN(ms) ? '—' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
