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
import { memo, useMemo, useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { useForm } from '../../forms/useForm';
import { useAssetFormat } from '../../money/assetsApi';
import { idColumn, timeColumn } from '../../table/columns';
import { useCursorPages } from '../../table/cursorPages';
import { TableSection } from '../../table/TableSection';
import { depositColumns, withdrawalColumns } from '../wallet/fundingColumns';
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

// Memoised: opening, typing in and closing the decision dialog changes only the page's state, and a Data Grid's
// render is the costly part of this page (setDecision, their one prop, never changes).
const DepositsTable = memo(function DepositsTable({ onDecide }: { onDecide: (d: Pending) => void }) {
  const pages = useCursorPages();
  const { precision } = useAssetFormat();
  const result = useListPendingDepositsQuery({ limit: pageSize, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  const columns = useMemo<GridColDef<PendingDeposit>[]>(
    () => [
      timeColumn('createdAt', 'Date', (d) => d.createdAt),
      { field: 'user', headerName: 'User', minWidth: 200, flex: 1, valueGetter: (_v, d) => d.email ?? d.userId },
      ...depositColumns<PendingDeposit>(precision),
      {
        field: 'requiresApproval',
        headerName: 'Review',
        minWidth: 140,
        renderCell: ({ row: d }) => (d.requiresApproval ? <Chip size="small" color="warning" label="Above threshold" /> : <Chip size="small" label="Automatic" />),
      },
      idColumn('id', 'Deposit id', (d) => d.id),
      decisionColumn<PendingDeposit>('deposit', onDecide),
    ],
    [onDecide, precision],
  );
  return (
    <TableSection
        title="Pending deposits"
        headingId="pending-deposits-heading"
        list="admin.funding.deposits"
        what="pending deposits"
        columns={columns}
        hiddenColumns={['id']}
        getRowId={(d) => d.id}
        result={result}
        pages={pages}
        pageSize={pageSize}
        emptyText="No pending deposits."
      />
  );
});

const WithdrawalsTable = memo(function WithdrawalsTable({ onDecide }: { onDecide: (d: Pending) => void }) {
  const pages = useCursorPages();
  const { precision } = useAssetFormat();
  const result = useListOpenWithdrawalsQuery({ limit: pageSize, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  const columns = useMemo<GridColDef<OpenWithdrawal>[]>(
    () => [
      timeColumn('createdAt', 'Requested', (w) => w.createdAt),
      { field: 'user', headerName: 'User', minWidth: 200, flex: 1, valueGetter: (_v, w) => w.email ?? w.userId },
      ...withdrawalColumns<OpenWithdrawal>(precision),
      { field: 'status', headerName: 'Status', minWidth: 180, valueGetter: (_v, w) => withdrawalStatusLabels[w.status] },
      timeColumn('confirmedAt', 'Confirmed', (w) => w.confirmedAt),
      idColumn('id', 'Withdrawal id', (w) => w.id),
      // An unconfirmed withdrawal waits for its owner's email link: it can be rejected, never approved.
      decisionColumn<OpenWithdrawal>('withdrawal', onDecide, (w) => w.status !== 'awaiting_confirmation'),
    ],
    [onDecide, precision],
  );
  return (
    <TableSection
      title="Open withdrawals"
      headingId="open-withdrawals-heading"
      list="admin.funding.withdrawals"
      what="open withdrawals"
      columns={columns}
      hiddenColumns={['confirmedAt', 'id']}
      getRowId={(w) => w.id}
      result={result}
      pages={pages}
      pageSize={pageSize}
      emptyText="No open withdrawals."
    />
  );
});

/** Approve and Reject of a deposit or withdrawal waiting for an Admin, each naming the row in its accessible name. */
function decisionColumn<R extends PendingDeposit | OpenWithdrawal>(kind: Pending['kind'], onDecide: (d: Pending) => void, approvable: (row: R) => boolean = () => true): GridColDef<R> {
  return {
    field: 'actions',
    headerName: 'Actions',
    sortable: false,
    hideable: false,
    minWidth: 180,
    renderCell: ({ row }) => {
      const summary = `${kind} ${row.id}: ${row.amount} ${row.asset} for ${row.email ?? row.userId}`;
      return (
        <>
          {approvable(row) && (
            <Button size="small" onClick={() => onDecide({ kind, id: row.id, approve: true, summary })} aria-label={`Approve ${summary}`}>
              Approve
            </Button>
          )}
          <Button size="small" color="error" onClick={() => onDecide({ kind, id: row.id, approve: false, summary })} aria-label={`Reject ${summary}`}>
            Reject
          </Button>
        </>
      );
    },
  };
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
