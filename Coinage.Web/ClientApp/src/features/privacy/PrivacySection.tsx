import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import FormControlLabel from '@mui/material/FormControlLabel';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useGetProfileQuery } from '../account/accountApi';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { codeError, requiredError, useForm } from '../../forms/useForm';
import {
  type Consent,
  type ConsentPurpose,
  useCancelErasureMutation,
  useChangeConsentMutation,
  useGetConsentHistoryQuery,
  useGetConsentsQuery,
  useGetErasureQuery,
  useGetExportsQuery,
  useRequestErasureMutation,
  useRequestExportMutation,
} from './privacyApi';

const purposeNames: Record<ConsentPurpose, string> = {
  terms: 'Terms of service',
  privacy: 'Privacy policy',
  marketing: 'Marketing emails',
  analytics: 'Product analytics',
};

const sourceNames = { registration: 'Sign-up', settings: 'Privacy settings', sign_in: 'Sign-in' } as const;

/** `/account/privacy`: consents and their history, data export, account erasure. */
export function PrivacySection() {
  return (
    <Stack spacing={3}>
      <ConsentsCard />
      <ConsentHistoryCard />
      <ExportCard />
      <ErasureCard />
    </Stack>
  );
}

function ConsentsCard() {
  const { data, isLoading, error, refetch } = useGetConsentsQuery();
  const [change, changeState] = useChangeConsentMutation();

  async function toggle(consent: Consent, granted: boolean) {
    const result = await change({ purpose: consent.purpose, granted, version: consent.currentVersion });
    if (!result.error) {
      void refetch();
    }
  }

  return (
    <Card variant="outlined" component="section" aria-label="Consents">
      <CardContent>
        <Typography variant="h6" component="h2" gutterBottom>
          Consents
        </Typography>
        <ProblemAlert problem={changeState.error} />
        {!data ? (
          <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="your consents" />
        ) : (
          <Stack spacing={1}>
            {data.items.map((c) =>
              c.required ? (
                <Typography key={c.purpose}>
                  {purposeNames[c.purpose]} version {c.currentVersion}:{' '}
                  {c.granted ? `accepted ${formatDate(c.recordedAt)}` : 'not accepted yet (you will be asked at sign-in)'}
                </Typography>
              ) : (
                <FormControlLabel
                  key={c.purpose}
                  control={<Switch checked={c.granted} onChange={(e) => void toggle(c, e.target.checked)} disabled={changeState.isLoading} />}
                  label={`${purposeNames[c.purpose]} (version ${c.currentVersion})`}
                />
              ),
            )}
            <Typography variant="body2" color="text.secondary">
              Security and account emails are always sent; marketing emails only while the switch is on.
            </Typography>
          </Stack>
        )}
      </CardContent>
    </Card>
  );
}

function ConsentHistoryCard() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const { data, isLoading, error, refetch } = useGetConsentHistoryQuery(cursor, { refetchOnMountOrArgChange: true });
  return (
    <Card variant="outlined" component="section" aria-label="Consent history">
      <CardContent>
        <Typography variant="h6" component="h2" gutterBottom>
          Consent history
        </Typography>
        {!data ? (
          <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="your consent history" />
        ) : (
          <>
            <Table size="small" aria-label="Consent history">
              <TableHead>
                <TableRow>
                  <TableCell>When</TableCell>
                  <TableCell>What</TableCell>
                  <TableCell>Version</TableCell>
                  <TableCell>Choice</TableCell>
                  <TableCell>Where</TableCell>
                  <TableCell>From</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.items.map((h) => (
                  <TableRow key={h.id}>
                    <TableCell>{formatDate(h.recordedAt)}</TableCell>
                    <TableCell>{purposeNames[h.purpose]}</TableCell>
                    <TableCell>{h.version}</TableCell>
                    <TableCell>{h.granted ? 'Given' : 'Withdrawn'}</TableCell>
                    <TableCell>{sourceNames[h.source]}</TableCell>
                    <TableCell>{h.ipAddress ?? '—'}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <Stack direction="row" spacing={1} sx={{ pt: 1 }}>
              <Button size="small" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                Newer
              </Button>
              <Button size="small" disabled={!data.nextCursor} onClick={() => setCursors((c) => [...c, data.nextCursor])}>
                Older
              </Button>
            </Stack>
          </>
        )}
      </CardContent>
    </Card>
  );
}

function ExportCard() {
  const { data, isLoading, error, refetch } = useGetExportsQuery();
  const [request, requestState] = useRequestExportMutation();
  const [message, setMessage] = useState<string | null>(null);

  async function requestExport() {
    setMessage(null);
    const result = await request();
    if (!result.error) {
      setMessage('Your archive is being prepared. A download link will arrive by email.');
      void refetch();
    }
  }

  const pending = data?.some((e) => e.status === 'requested') ?? false;
  return (
    <Card variant="outlined" component="section" aria-label="Your data">
      <CardContent>
        <Stack spacing={1}>
          <Typography variant="h6" component="h2">
            Your data
          </Typography>
          <Typography color="text.secondary">
            Get a copy of everything we hold about you (JSON, with CSV files of your orders, trades and ledger). The emailed link works once and
            expires after a week.
          </Typography>
          {message && <Alert severity="success">{message}</Alert>}
          <ProblemAlert problem={requestState.error} />
          <Button variant="outlined" onClick={() => void requestExport()} disabled={requestState.isLoading || pending} sx={{ alignSelf: 'flex-start' }}>
            {pending ? 'Export in progress' : 'Export my data'}
          </Button>
          {!data ? (
            <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="your exports" />
          ) : (
            data.length > 0 && (
              <Table size="small" aria-label="Exports">
                <TableHead>
                  <TableRow>
                    <TableCell>Requested</TableCell>
                    <TableCell>Status</TableCell>
                    <TableCell>Link expires</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {data.map((e) => (
                    <TableRow key={e.id}>
                      <TableCell>{formatDate(e.requestedAt)}</TableCell>
                      <TableCell>{e.status === 'ready' ? 'Ready: see your email' : e.status}</TableCell>
                      <TableCell>{e.expiresAt ? formatDate(e.expiresAt) : '—'}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}

const erasureReasons: Record<string, string> = {
  funds_remaining: 'Withdraw every balance first.',
  open_orders: 'Cancel your open orders first.',
  pending_withdrawals: 'Wait until your pending withdrawals complete.',
};

function ErasureCard() {
  const profile = useGetProfileQuery();
  const { data, isLoading, error, refetch } = useGetErasureQuery();
  const [requestErasure, requestState] = useRequestErasureMutation();
  const [cancel, cancelState] = useCancelErasureMutation();
  const twoFactor = profile.data?.twoFactorEnabled ?? false;
  const form = useForm(
    { password: '', code: '' },
    { validate: (v) => ({ password: requiredError(v.password, 'Enter your password.'), code: twoFactor ? codeError(v.code) : undefined }) },
  );

  const submit = form.handleSubmit(async ({ password, code }) => {
    const result = await requestErasure(twoFactor ? { password, code: code.replace(/ /g, '') } : { password });
    if (result.error) {
      form.applyError(result.error);
      return;
    }
    form.reset();
    void refetch();
  });

  async function cancelErasure() {
    const result = await cancel();
    if (!result.error) {
      void refetch();
    }
  }

  const scheduled = data?.status === 'scheduled' ? data : null;
  return (
    <Card variant="outlined" component="section" aria-label="Delete account">
      <CardContent>
        <Stack spacing={1}>
          <Typography variant="h6" component="h2">
            Delete account
          </Typography>
          {!data && (isLoading || error) ? (
            <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="your deletion request" />
          ) : scheduled ? (
            <>
              <Alert severity="warning">
                Your account will be erased on {formatDate(scheduled.effectiveAt)}. Until then you can change your mind.
              </Alert>
              <ProblemAlert problem={cancelState.error} />
              <Button variant="contained" onClick={() => void cancelErasure()} disabled={cancelState.isLoading} sx={{ alignSelf: 'flex-start' }}>
                Cancel deletion
              </Button>
            </>
          ) : (
            <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Delete account">
              <Typography color="text.secondary">
                After a grace period your personal data is erased and you can no longer sign in. Orders, trades and ledger entries are kept under a
                pseudonym for as long as the law requires. Your balances must be empty and no order open.
              </Typography>
              {data?.status === 'refused' && data.refusedReason && (
                <Alert severity="info">A previous request could not be carried out: {erasureReasons[data.refusedReason] ?? data.refusedReason}</Alert>
              )}
              <ProblemAlert problem={form.problem} />
              <TextField {...form.text('password')} label="Password" type="password" autoComplete="current-password" required />
              {twoFactor && <TextField {...form.text('code')} label="Two-factor code" autoComplete="one-time-code" required />}
              <Button type="submit" variant="outlined" color="error" disabled={requestState.isLoading} sx={{ alignSelf: 'flex-start' }}>
                {requestState.isLoading ? 'Requesting…' : 'Delete my account'}
              </Button>
            </Stack>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}
