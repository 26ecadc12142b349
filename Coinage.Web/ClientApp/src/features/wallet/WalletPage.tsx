import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Grid from '@mui/material/Grid';
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
import Typography from '@mui/material/Typography';
import type { GridColDef } from '@mui/x-data-grid';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { QueryState } from '../../forms/QueryState';
import { useAssetFormat } from '../../money/assetsApi';
import { formatAmount } from '../../money/money';
import { amountColumn, idColumn, timeColumn } from '../../table/columns';
import { useCursorPages } from '../../table/cursorPages';
import { ExportCsvButton } from '../../table/ExportCsvButton';
import { TableSection } from '../../table/TableSection';
import { searchParams } from '../compliance/complianceApi';
import { useGetProfileQuery } from '../account/accountApi';
import { AddressBookSection } from './AddressBookSection';
import { DepositForm } from './DepositForm';
import { depositColumns, withdrawalColumns } from './fundingColumns';
import { ledgerWords } from './ledgerWords';
import {
  type Deposit,
  type LedgerLine,
  openWithdrawalStatuses,
  useCancelWithdrawalMutation,
  useGetBalancesQuery,
  useGetDepositsQuery,
  useGetLedgerQuery,
  useGetWithdrawalsQuery,
  type Withdrawal,
  withdrawalStatusLabels,
} from './walletApi';
import { WithdrawForm } from './WithdrawForm';

const pageSize = 20;

type Precision = (asset: string) => number;

/** The wallet: balances, deposit and withdraw, the withdrawal address book, the withdrawals and deposits with their status, and the ledger. */
const heldColumn = { display: { xs: 'none', sm: 'table-cell' } } as const;

export function WalletPage() {
  const balances = useGetBalancesQuery();
  const { precisions, precision } = useAssetFormat();
  const profile = useGetProfileQuery();

  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        Wallet
      </Typography>
      {!balances.data ? (
        <QueryState isLoading={balances.isLoading} error={balances.error} onRetry={() => void balances.refetch()} label="balances" />
      ) : (
        <>
          <TableContainer component={Paper} variant="outlined">
            {/* Phones: tighter cells and no Held column (Total less Available; the trade page's Balances tab shows it), so
                an 8-decimal balance in the thousands fits 390 px without sideways scrolling. */}
            <Table size="small" aria-label="Balances" sx={{ '& .MuiTableCell-root': { px: { xs: 1, sm: 2 } } }}>
              <TableHead>
                <TableRow>
                  <TableCell>Asset</TableCell>
                  <TableCell align="right">Available</TableCell>
                  <TableCell align="right" sx={heldColumn}>
                    Held
                  </TableCell>
                  <TableCell align="right">Total</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {balances.data.map((b) => (
                  <TableRow key={b.asset}>
                    <TableCell component="th" scope="row">
                      {b.asset}
                    </TableCell>
                    <TableCell align="right">{formatAmount(b.available, precision(b.asset))}</TableCell>
                    <TableCell align="right" sx={heldColumn}>
                      {formatAmount(b.held, precision(b.asset))}
                    </TableCell>
                    <TableCell align="right">{formatAmount(b.total, precision(b.asset))}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
          <Grid container spacing={3}>
            <Grid size={{ xs: 12, md: 6 }}>
              <Paper variant="outlined" sx={{ p: 2 }}>
                <DepositForm assets={balances.data.map((b) => b.asset)} precisions={precisions} />
              </Paper>
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              <Paper variant="outlined" sx={{ p: 2 }}>
                {profile.data ? (
                  <WithdrawForm balances={balances.data} precisions={precisions} twoFactorEnabled={profile.data.twoFactorEnabled} />
                ) : (
                  <QueryState isLoading={profile.isLoading} error={profile.error} onRetry={() => void profile.refetch()} label="your security settings" />
                )}
              </Paper>
            </Grid>
          </Grid>
          <AddressBookSection assets={balances.data.map((b) => b.asset)} />
        </>
      )}
      <WithdrawalsSection precision={precision} />
      <DepositsSection precision={precision} />
      <LedgerSection precision={precision} assets={balances.data?.map((b) => b.asset) ?? []} />
    </Stack>
  );
}

function WithdrawalsSection({ precision }: { precision: Precision }) {
  const pages = useCursorPages();
  const result = useGetWithdrawalsQuery({ limit: pageSize, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  const [cancel, cancelling] = useCancelWithdrawalMutation();
  const columns = useMemo<GridColDef<Withdrawal>[]>(
    () => [
      timeColumn('createdAt', 'Requested', (w) => w.createdAt),
      ...withdrawalColumns<Withdrawal>(precision),
      {
        field: 'status',
        headerName: 'Status',
        minWidth: 200,
        flex: 1,
        valueGetter: (_v, w) => withdrawalStatusLabels[w.status],
        renderCell: ({ row }) => <WithdrawalStatusChip withdrawal={row} />,
      },
      timeColumn('completedAt', 'Completed', (w) => w.completedAt),
      idColumn('id', 'Withdrawal id', (w) => w.id),
      {
        field: 'actions',
        headerName: 'Actions',
        sortable: false,
        hideable: false,
        minWidth: 100,
        renderCell: ({ row: w }) =>
          openWithdrawalStatuses.includes(w.status) && (
            <Button size="small" disabled={cancelling.isLoading} onClick={() => void cancel(w.id)} aria-label={`Cancel withdrawal of ${w.amount} ${w.asset}`}>
              Cancel
            </Button>
          ),
      },
    ],
    [cancel, cancelling.isLoading, precision],
  );
  return (
    <TableSection
      title="Withdrawals"
      headingId="withdrawals-heading"
      notice={<ProblemAlert problem={cancelling.error} />}
      list="wallet.withdrawals"
      what="withdrawals"
      columns={columns}
      hiddenColumns={['completedAt', 'id']}
      getRowId={(w) => w.id}
      result={result}
      pages={pages}
      pageSize={pageSize}
      emptyText="No withdrawals yet."
    />
  );
}

function WithdrawalStatusChip({ withdrawal }: { withdrawal: Withdrawal }) {
  const color = withdrawal.status === 'completed' ? 'success' : withdrawal.status === 'rejected' ? 'error' : openWithdrawalStatuses.includes(withdrawal.status) ? 'warning' : 'default';
  const label = withdrawalStatusLabels[withdrawal.status];
  return <Chip size="small" color={color} label={withdrawal.reason ? `${label}: ${withdrawal.reason}` : label} />;
}

function DepositsSection({ precision }: { precision: Precision }) {
  const pages = useCursorPages();
  const result = useGetDepositsQuery({ limit: pageSize, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  const columns = useMemo<GridColDef<Deposit>[]>(
    () => [
      timeColumn('createdAt', 'Date', (d) => d.createdAt),
      ...depositColumns<Deposit>(precision),
      {
        field: 'status',
        headerName: 'Status',
        minWidth: 160,
        flex: 1,
        renderCell: ({ row: d }) => (
          <Chip
            size="small"
            color={d.status === 'confirmed' ? 'success' : d.status === 'rejected' ? 'error' : 'warning'}
            label={d.status === 'pending' ? 'Pending' : d.status === 'confirmed' ? 'Confirmed' : `Rejected${d.reason ? `: ${d.reason}` : ''}`}
          />
        ),
      },
      timeColumn('completedAt', 'Completed', (d) => d.completedAt),
      idColumn('id', 'Deposit id', (d) => d.id),
    ],
    [precision],
  );
  return (
    <TableSection
      title="Deposits"
      headingId="deposits-heading"
      list="wallet.deposits"
      what="deposits"
      columns={columns}
      hiddenColumns={['completedAt', 'id']}
      getRowId={(d) => d.id}
      result={result}
      pages={pages}
      pageSize={pageSize}
      emptyText="No deposits yet."
    />
  );
}

function LedgerSection({ precision, assets }: { precision: Precision; assets: string[] }) {
  const pages = useCursorPages();
  // The ledger's asset filter lives in the URL (?asset=BTC), so a filtered ledger can be linked to.
  const [params, setParams] = useSearchParams();
  const asset = params.get('asset') ?? '';
  const filter = asset === '' ? {} : { asset };
  const result = useGetLedgerQuery({ ...filter, limit: pageSize, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  const columns = useMemo<GridColDef<LedgerLine>[]>(
    () => [
      timeColumn('createdAt', 'Date', (l) => l.createdAt),
      { field: 'entry', headerName: 'Entry', minWidth: 260, flex: 2, valueGetter: (_v, l) => ledgerWords(l) },
      { field: 'asset', headerName: 'Asset', minWidth: 70 },
      { field: 'account', headerName: 'Account', minWidth: 100, valueGetter: (_v, l) => (l.account === 'held' ? 'Held' : 'Available') },
      amountColumn('amount', 'Amount', (l) => l.amount, (l) => precision(l.asset)),
      idColumn('reference', 'Reference', (l) => l.reference),
      idColumn('entryId', 'Entry id', (l) => l.entryId),
    ],
    [precision],
  );
  return (
    <TableSection
        title="Ledger"
        headingId="ledger-heading"
        list="wallet.ledger"
        what="the ledger"
        columns={columns}
        hiddenColumns={['reference', 'entryId']}
        getRowId={(l) => l.id}
        result={result}
        pages={pages}
        pageSize={pageSize}
        emptyText={asset === '' ? 'No ledger entries yet.' : `No ${asset} ledger entries.`}
        actions={
          <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
            <TextField
              select
              size="small"
              label="Asset"
              value={assets.includes(asset) ? asset : ''}
              onChange={(e) => {
                pages.reset();
                const next = new URLSearchParams(params);
                if (e.target.value === '') next.delete('asset');
                else next.set('asset', e.target.value);
                setParams(next, { replace: true });
              }}
              sx={{ minWidth: 120 }}
            >
              <MenuItem value="">All assets</MenuItem>
              {assets.map((a) => (
                <MenuItem key={a} value={a}>
                  {a}
                </MenuItem>
              ))}
            </TextField>
            <ExportCsvButton path="/api/v1/wallet/ledger/export.csv" params={searchParams(filter)} fallbackName="coinage-ledger.csv" />
          </Stack>
        }
      />
  );
}
