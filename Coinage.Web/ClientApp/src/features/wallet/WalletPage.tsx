import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Grid from '@mui/material/Grid';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { formatAmount } from '../../money/money';
import { useGetProfileQuery } from '../account/accountApi';
import { CursorPager, useCursorPages } from '../admin/CursorPager';
import { AddressBookSection } from './AddressBookSection';
import { DepositForm } from './DepositForm';
import { fallbackPrecision } from './validation';
import {
  openWithdrawalStatuses,
  useCancelWithdrawalMutation,
  useGetAssetPrecisionsQuery,
  useGetBalancesQuery,
  useGetDepositsQuery,
  useGetLedgerQuery,
  useGetWithdrawalsQuery,
  type Withdrawal,
  withdrawalStatusLabels,
} from './walletApi';
import { WithdrawForm } from './WithdrawForm';

const pageSize = 20;

/** The wallet: balances, deposit and withdraw, the withdrawal address book, the withdrawals and deposits with their status, and the ledger. */
export function WalletPage() {
  const balances = useGetBalancesQuery();
  const precisionsQuery = useGetAssetPrecisionsQuery();
  const profile = useGetProfileQuery();
  const precisions = precisionsQuery.data ?? {};
  const precision = (asset: string) => precisions[asset] ?? fallbackPrecision;

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
            <Table size="small" aria-label="Balances">
              <TableHead>
                <TableRow>
                  <TableCell>Asset</TableCell>
                  <TableCell align="right">Available</TableCell>
                  <TableCell align="right">Held</TableCell>
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
                    <TableCell align="right">{formatAmount(b.held, precision(b.asset))}</TableCell>
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
      <WithdrawalsSection />
      <DepositsSection />
      <LedgerSection precision={precision} />
    </Stack>
  );
}

function WithdrawalsSection() {
  const pages = useCursorPages();
  const { data, isLoading, isFetching, error, refetch } = useGetWithdrawalsQuery({ limit: pageSize, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  const [cancel, cancelling] = useCancelWithdrawalMutation();
  return (
    <Stack spacing={1} component="section" aria-labelledby="withdrawals-heading">
      <Typography variant="h6" component="h2" id="withdrawals-heading">
        Withdrawals
      </Typography>
      <ProblemAlert problem={cancelling.error} />
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="withdrawals" />
      ) : data.items.length === 0 && pages.page === 1 ? (
        <Typography color="text.secondary">No withdrawals yet.</Typography>
      ) : (
        <>
          <TableContainer component={Paper} variant="outlined">
            <Table size="small" aria-label="Withdrawals" aria-busy={isFetching}>
              <TableHead>
                <TableRow>
                  <TableCell>Requested</TableCell>
                  <TableCell>Asset</TableCell>
                  <TableCell align="right">Amount</TableCell>
                  <TableCell>Address</TableCell>
                  <TableCell>Status</TableCell>
                  <TableCell>Actions</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.items.map((w) => (
                  <TableRow key={w.id}>
                    <TableCell>{formatDate(w.createdAt)}</TableCell>
                    <TableCell>{w.asset}</TableCell>
                    <TableCell align="right">{w.amount}</TableCell>
                    <TableCell sx={{ wordBreak: 'break-all' }}>{w.address}</TableCell>
                    <TableCell>
                      <WithdrawalStatusChip withdrawal={w} />
                    </TableCell>
                    <TableCell>
                      {openWithdrawalStatuses.includes(w.status) && (
                        <Button size="small" disabled={cancelling.isLoading} onClick={() => void cancel(w.id)} aria-label={`Cancel withdrawal of ${w.amount} ${w.asset}`}>
                          Cancel
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
          <CursorPager page={pages.page} nextCursor={data.nextCursor} onNext={pages.next} onPrevious={pages.previous} disabled={isFetching} />
        </>
      )}
    </Stack>
  );
}

function WithdrawalStatusChip({ withdrawal }: { withdrawal: Withdrawal }) {
  const color = withdrawal.status === 'completed' ? 'success' : withdrawal.status === 'rejected' ? 'error' : openWithdrawalStatuses.includes(withdrawal.status) ? 'warning' : 'default';
  const label = withdrawalStatusLabels[withdrawal.status];
  return <Chip size="small" color={color} label={withdrawal.reason ? `${label}: ${withdrawal.reason}` : label} />;
}

function DepositsSection() {
  const pages = useCursorPages();
  const { data, isLoading, isFetching, error, refetch } = useGetDepositsQuery({ limit: pageSize, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  return (
    <Stack spacing={1} component="section" aria-labelledby="deposits-heading">
      <Typography variant="h6" component="h2" id="deposits-heading">
        Deposits
      </Typography>
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="deposits" />
      ) : data.items.length === 0 && pages.page === 1 ? (
        <Typography color="text.secondary">No deposits yet.</Typography>
      ) : (
        <>
          <TableContainer component={Paper} variant="outlined">
            <Table size="small" aria-label="Deposits" aria-busy={isFetching}>
              <TableHead>
                <TableRow>
                  <TableCell>Date</TableCell>
                  <TableCell>Asset</TableCell>
                  <TableCell align="right">Amount</TableCell>
                  <TableCell>Status</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.items.map((d) => (
                  <TableRow key={d.id}>
                    <TableCell>{formatDate(d.createdAt)}</TableCell>
                    <TableCell>{d.asset}</TableCell>
                    <TableCell align="right">{d.amount}</TableCell>
                    <TableCell>
                      <Chip
                        size="small"
                        color={d.status === 'confirmed' ? 'success' : d.status === 'rejected' ? 'error' : 'warning'}
                        label={d.status === 'pending' ? 'Pending' : d.status === 'confirmed' ? 'Confirmed' : `Rejected${d.reason ? `: ${d.reason}` : ''}`}
                      />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
          <CursorPager page={pages.page} nextCursor={data.nextCursor} onNext={pages.next} onPrevious={pages.previous} disabled={isFetching} />
        </>
      )}
    </Stack>
  );
}

const ledgerKinds: Record<string, string> = {
  deposit: 'Deposit',
  withdrawal_request: 'Withdrawal held',
  withdrawal: 'Withdrawal sent',
  withdrawal_rejected: 'Withdrawal released',
  order_hold: 'Order hold',
  hold_release: 'Hold released',
  trade: 'Trade',
};

function LedgerSection({ precision }: { precision: (asset: string) => number }) {
  const pages = useCursorPages();
  const { data, isLoading, isFetching, error, refetch } = useGetLedgerQuery({ limit: pageSize, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  return (
    <Stack spacing={1} component="section" aria-labelledby="ledger-heading">
      <Typography variant="h6" component="h2" id="ledger-heading">
        Ledger
      </Typography>
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="the ledger" />
      ) : data.items.length === 0 && pages.page === 1 ? (
        <Typography color="text.secondary">No ledger entries yet.</Typography>
      ) : (
        <>
          <TableContainer component={Paper} variant="outlined">
            <Table size="small" aria-label="Ledger" aria-busy={isFetching}>
              <TableHead>
                <TableRow>
                  <TableCell>Date</TableCell>
                  <TableCell>Entry</TableCell>
                  <TableCell>Asset</TableCell>
                  <TableCell>Account</TableCell>
                  <TableCell align="right">Amount</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.items.map((line) => (
                  <TableRow key={line.id}>
                    <TableCell>{formatDate(line.createdAt)}</TableCell>
                    <TableCell>{ledgerKinds[line.kind] ?? line.kind}</TableCell>
                    <TableCell>{line.asset}</TableCell>
                    <TableCell>{line.account === 'held' ? 'Held' : 'Available'}</TableCell>
                    <TableCell align="right">{formatAmount(line.amount, precision(line.asset))}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
          <CursorPager page={pages.page} nextCursor={data.nextCursor} onNext={pages.next} onPrevious={pages.previous} disabled={isFetching} />
        </>
      )}
    </Stack>
  );
}
