import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
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
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { useForm } from '../../forms/useForm';
import { withdrawalStatusLabels } from '../wallet/walletApi';
import { CursorPager, useCursorPages } from './CursorPager';
import {
  type Decision,
  useDecideDepositMutation,
  useDecideWithdrawalMutation,
  useListOpenWithdrawalsQuery,
  useListPendingDepositsQuery,
} from './fundingAdminApi';

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
  const { data, isLoading, isFetching, error, refetch } = useListPendingDepositsQuery({ limit: 25, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  return (
    <Stack spacing={1} component="section" aria-labelledby="pending-deposits-heading">
      <Typography variant="h6" component="h2" id="pending-deposits-heading">
        Pending deposits
      </Typography>
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="pending deposits" />
      ) : data.items.length === 0 && pages.page === 1 ? (
        <Typography color="text.secondary">No pending deposits.</Typography>
      ) : (
        <>
          <TableContainer component={Paper} variant="outlined">
            <Table size="small" aria-label="Pending deposits" aria-busy={isFetching}>
              <TableHead>
                <TableRow>
                  <TableCell>Date</TableCell>
                  <TableCell>User</TableCell>
                  <TableCell>Asset</TableCell>
                  <TableCell align="right">Amount</TableCell>
                  <TableCell>Review</TableCell>
                  <TableCell>Actions</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.items.map((d) => {
                  const summary = `deposit ${d.id}: ${d.amount} ${d.asset} for ${d.email ?? d.userId}`;
                  return (
                    <TableRow key={d.id}>
                      <TableCell>{formatDate(d.createdAt)}</TableCell>
                      <TableCell>{d.email ?? d.userId}</TableCell>
                      <TableCell>{d.asset}</TableCell>
                      <TableCell align="right">{d.amount}</TableCell>
                      <TableCell>{d.requiresApproval ? <Chip size="small" color="warning" label="Above threshold" /> : <Chip size="small" label="Automatic" />}</TableCell>
                      <TableCell>
                        <Button size="small" onClick={() => onDecide({ kind: 'deposit', id: d.id, approve: true, summary })} aria-label={`Approve ${summary}`}>
                          Approve
                        </Button>
                        <Button size="small" color="error" onClick={() => onDecide({ kind: 'deposit', id: d.id, approve: false, summary })} aria-label={`Reject ${summary}`}>
                          Reject
                        </Button>
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </TableContainer>
          <CursorPager page={pages.page} nextCursor={data.nextCursor} onNext={pages.next} onPrevious={pages.previous} disabled={isFetching} />
        </>
      )}
    </Stack>
  );
}

function WithdrawalsTable({ onDecide }: { onDecide: (d: Pending) => void }) {
  const pages = useCursorPages();
  const { data, isLoading, isFetching, error, refetch } = useListOpenWithdrawalsQuery({ limit: 25, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  return (
    <Stack spacing={1} component="section" aria-labelledby="open-withdrawals-heading">
      <Typography variant="h6" component="h2" id="open-withdrawals-heading">
        Open withdrawals
      </Typography>
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="open withdrawals" />
      ) : data.items.length === 0 && pages.page === 1 ? (
        <Typography color="text.secondary">No open withdrawals.</Typography>
      ) : (
        <>
          <TableContainer component={Paper} variant="outlined">
            <Table size="small" aria-label="Open withdrawals" aria-busy={isFetching}>
              <TableHead>
                <TableRow>
                  <TableCell>Requested</TableCell>
                  <TableCell>User</TableCell>
                  <TableCell>Asset</TableCell>
                  <TableCell align="right">Amount</TableCell>
                  <TableCell>Address</TableCell>
                  <TableCell>Status</TableCell>
                  <TableCell>Actions</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.items.map((w) => {
                  const summary = `withdrawal ${w.id}: ${w.amount} ${w.asset} for ${w.email ?? w.userId}`;
                  return (
                    <TableRow key={w.id}>
                      <TableCell>{formatDate(w.createdAt)}</TableCell>
                      <TableCell>{w.email ?? w.userId}</TableCell>
                      <TableCell>{w.asset}</TableCell>
                      <TableCell align="right">{w.amount}</TableCell>
                      <TableCell sx={{ wordBreak: 'break-all' }}>{w.address}</TableCell>
                      <TableCell>{withdrawalStatusLabels[w.status]}</TableCell>
                      <TableCell>
                        {/* An unconfirmed withdrawal waits for its owner's email link: it can be rejected, never approved. */}
                        {w.status !== 'awaiting_confirmation' && (
                          <Button size="small" onClick={() => onDecide({ kind: 'withdrawal', id: w.id, approve: true, summary })} aria-label={`Approve ${summary}`}>
                            Approve
                          </Button>
                        )}
                        <Button size="small" color="error" onClick={() => onDecide({ kind: 'withdrawal', id: w.id, approve: false, summary })} aria-label={`Reject ${summary}`}>
                          Reject
                        </Button>
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </TableContainer>
          <CursorPager page={pages.page} nextCursor={data.nextCursor} onNext={pages.next} onPrevious={pages.previous} disabled={isFetching} />
        </>
      )}
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
