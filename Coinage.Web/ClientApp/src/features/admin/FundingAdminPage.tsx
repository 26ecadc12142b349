import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { GridColDef } from '@mui/x-data-grid';
import { useMemo, useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { useForm } from '../../forms/useForm';
import { useAssetFormat } from '../../money/assetsApi';
import { amountColumn, idColumn, timeColumn } from '../../table/columns';
import { useCursorPages } from '../../table/cursorPages';
import { DataTable } from '../../table/DataTable';
import { withdrawalStatusLabels } from '../wallet/walletApi';
import {
  type Decision,
  type OpenWithdrawal,
  type PendingDeposit,
  useDecideDepositMutation,
  useDecideWithdrawalMutation,
  useListOpenWithdrawalsQuery,
  useListPendingDepositsQuery,
} from './fundingAdminApi';

const pageSize = 25;

interface Pending {
  kind: 'deposit' | 'withdrawal';
  id: string;
  approve: boolean;
  summary: string;
}

/** Funding (Admin): pending deposits and withdrawals not yet processed; approve or reject each, with a reason. */
export function FundingAdminPage() {
  const [decision, setDecision] = useState<Pending | null>(null);
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        Funding
      </Typography>
      <DepositsTable onDecide={setDecision} />
      <WithdrawalsTable onDecide={setDecision} />
      {decision && <DecisionDialog decision={decision} onClose={() => setDecision(null)} />}
    </Stack>
  );
}

function DepositsTable({ onDecide }: { onDecide: (d: Pending) => void }) {
  const pages = useCursorPages();
  const { precision } = useAssetFormat();
  const result = useListPendingDepositsQuery({ limit: pageSize, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  const columns = useMemo<GridColDef<PendingDeposit>[]>(
    () => [
      timeColumn('createdAt', 'Date', (d) => d.createdAt),
      { field: 'user', headerName: 'User', minWidth: 200, flex: 1, valueGetter: (_v, d) => d.email ?? d.userId },
      { field: 'asset', headerName: 'Asset', minWidth: 70 },
      amountColumn('amount', 'Amount', (d) => d.amount, (d) => precision(d.asset)),
      {
        field: 'requiresApproval',
        headerName: 'Review',
        minWidth: 140,
        renderCell: ({ row: d }) => (d.requiresApproval ? <Chip size="small" color="warning" label="Above threshold" /> : <Chip size="small" label="Automatic" />),
      },
      idColumn('id', 'Deposit id', (d) => d.id),
      {
        field: 'actions',
        headerName: 'Actions',
        sortable: false,
        hideable: false,
        minWidth: 180,
        renderCell: ({ row: d }) => {
          const summary = `deposit ${d.id}: ${d.amount} ${d.asset} for ${d.email ?? d.userId}`;
          return (
            <>
              <Button size="small" onClick={() => onDecide({ kind: 'deposit', id: d.id, approve: true, summary })} aria-label={`Approve ${summary}`}>
                Approve
              </Button>
              <Button size="small" color="error" onClick={() => onDecide({ kind: 'deposit', id: d.id, approve: false, summary })} aria-label={`Reject ${summary}`}>
                Reject
              </Button>
            </>
          );
        },
      },
    ],
    [onDecide, precision],
  );
  return (
    <Stack spacing={1} component="section" aria-labelledby="pending-deposits-heading">
      <Typography variant="h6" component="h2" id="pending-deposits-heading">
        Pending deposits
      </Typography>
      <DataTable
        list="admin.funding.deposits"
        label="Pending deposits"
        what="pending deposits"
        columns={columns}
        hiddenColumns={['id']}
        getRowId={(d) => d.id}
        result={result}
        pages={pages}
        pageSize={pageSize}
        emptyText="No pending deposits."
      />
    </Stack>
  );
}

function WithdrawalsTable({ onDecide }: { onDecide: (d: Pending) => void }) {
  const pages = useCursorPages();
  const { precision } = useAssetFormat();
  const result = useListOpenWithdrawalsQuery({ limit: pageSize, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  const columns = useMemo<GridColDef<OpenWithdrawal>[]>(
    () => [
      timeColumn('createdAt', 'Requested', (w) => w.createdAt),
      { field: 'user', headerName: 'User', minWidth: 200, flex: 1, valueGetter: (_v, w) => w.email ?? w.userId },
      { field: 'asset', headerName: 'Asset', minWidth: 70 },
      amountColumn('amount', 'Amount', (w) => w.amount, (w) => precision(w.asset)),
      amountColumn('fee', 'Fee', (w) => w.fee, (w) => precision(w.asset)),
      { field: 'address', headerName: 'Address', minWidth: 220, flex: 1.5 },
      { field: 'status', headerName: 'Status', minWidth: 180, valueGetter: (_v, w) => withdrawalStatusLabels[w.status] },
      timeColumn('confirmedAt', 'Confirmed', (w) => w.confirmedAt),
      idColumn('id', 'Withdrawal id', (w) => w.id),
      {
        field: 'actions',
        headerName: 'Actions',
        sortable: false,
        hideable: false,
        minWidth: 180,
        renderCell: ({ row: w }) => {
          const summary = `withdrawal ${w.id}: ${w.amount} ${w.asset} for ${w.email ?? w.userId}`;
          return (
            <>
              {/* An unconfirmed withdrawal waits for its owner's email link: it can be rejected, never approved. */}
              {w.status !== 'awaiting_confirmation' && (
                <Button size="small" onClick={() => onDecide({ kind: 'withdrawal', id: w.id, approve: true, summary })} aria-label={`Approve ${summary}`}>
                  Approve
                </Button>
              )}
              <Button size="small" color="error" onClick={() => onDecide({ kind: 'withdrawal', id: w.id, approve: false, summary })} aria-label={`Reject ${summary}`}>
                Reject
              </Button>
            </>
          );
        },
      },
    ],
    [onDecide, precision],
  );
  return (
    <Stack spacing={1} component="section" aria-labelledby="open-withdrawals-heading">
      <Typography variant="h6" component="h2" id="open-withdrawals-heading">
        Open withdrawals
      </Typography>
      <DataTable
        list="admin.funding.withdrawals"
        label="Open withdrawals"
        what="open withdrawals"
        columns={columns}
        hiddenColumns={['confirmedAt', 'id']}
        getRowId={(w) => w.id}
        result={result}
        pages={pages}
        pageSize={pageSize}
        emptyText="No open withdrawals."
      />
    </Stack>
  );
}

function DecisionDialog({ decision, onClose }: { decision: Pending; onClose: () => void }) {
  const [decideDeposit, depositState] = useDecideDepositMutation();
  const [decideWithdrawal, withdrawalState] = useDecideWithdrawalMutation();
  const busy = depositState.isLoading || withdrawalState.isLoading;
  const form = useForm(
    { reason: '' },
    {
      validate: (v) => ({
        reason: !decision.approve && v.reason.trim() === '' ? 'Say why: the user and the audit log see it.' : v.reason.length > 500 ? 'At most 500 characters.' : undefined,
      }),
    },
  );
  const verb = decision.approve ? 'Approve' : 'Reject';
  const submit = form.handleSubmit(async ({ reason }) => {
    const args: Decision = { id: decision.id, approve: decision.approve, ...(reason.trim() !== '' && { reason: reason.trim() }) };
    const result = decision.kind === 'deposit' ? await decideDeposit(args) : await decideWithdrawal(args);
    if ('error' in result) {
      form.applyError(result.error);
      return;
    }
    onClose();
  });
  return (
    <Dialog open onClose={onClose} aria-labelledby="decision-title" fullWidth maxWidth="sm">
      <form noValidate onSubmit={submit}>
        <DialogTitle id="decision-title">
          {verb} {decision.kind}
        </DialogTitle>
        <DialogContent>
          <Stack spacing={2}>
            <DialogContentText>
              {verb} {decision.summary}.{' '}
              {decision.approve
                ? decision.kind === 'deposit'
                  ? 'The funds are credited to the user.'
                  : 'The funds are sent to the address.'
                : decision.kind === 'deposit'
                  ? 'Nothing is credited.'
                  : 'The held funds are released to the user.'}
            </DialogContentText>
            <TextField label={decision.approve ? 'Reason (optional)' : 'Reason'} multiline minRows={2} {...form.text('reason')} autoFocus />
            <ProblemAlert problem={form.problem} />
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Close</Button>
          <Button type="submit" variant="contained" color={decision.approve ? 'primary' : 'error'} disabled={busy}>
            {verb}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
