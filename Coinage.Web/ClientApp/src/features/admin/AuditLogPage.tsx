import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { useForm } from '../../forms/useForm';
import { type AuditFilter, useLazyVerifyAuditQuery, useListAuditQuery } from './adminApi';
import { auditColumns, auditColumnsHidden } from './auditColumns';
import { useCursorPages } from '../../table/cursorPages';
import { DataTable } from '../../table/DataTable';

const uuidPattern = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** `<input type="datetime-local">` is local time without a zone; the API wants an instant. */
function toIso(local: string): string | undefined {
  if (!local) {
    return undefined;
  }
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const reasons: Record<string, string> = {
  missing_entry: 'an entry is missing',
  previous_hash_mismatch: "an entry does not carry its predecessor's hash",
  content_hash_mismatch: 'an entry was changed after it was written',
};

export function AuditLogPage() {
  const [filter, setFilter] = useState<AuditFilter>({});
  const pages = useCursorPages();
  const result = useListAuditQuery({
    ...filter,
    limit: 50,
    ...(pages.cursor !== undefined && { cursor: pages.cursor }),
  });
  const form = useForm(
    { action: '', userId: '', from: '', to: '' },
    {
      validate: (v) => ({
        action: v.action.length > 64 ? 'At most 64 characters.' : undefined,
        userId: v.userId.trim() === '' || uuidPattern.test(v.userId.trim()) ? undefined : 'Not a valid user id.',
        to: v.from && v.to && v.to <= v.from ? 'Must be after “From”.' : undefined,
      }),
      hints: { action: 'Exact action, e.g. auth.sign_in_failed' },
    },
  );
  const submit = form.handleSubmit((v) => {
    pages.reset();
    const from = toIso(v.from);
    const to = toIso(v.to);
    setFilter({
      ...(v.action.trim() !== '' && { action: v.action.trim() }),
      ...(v.userId.trim() !== '' && { userId: v.userId.trim() }),
      ...(from !== undefined && { from }),
      ...(to !== undefined && { to }),
    });
  });

  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        Audit log
      </Typography>
      <ChainVerification />
      <Box
        component="form"
        noValidate
        onSubmit={submit}
        aria-label="Filter the audit log"
        sx={{ display: 'grid', gap: 1, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr', md: 'repeat(4, 1fr) auto' }, alignItems: 'start' }}
      >
        <TextField {...form.text('action')} label="Action" size="small" />
        <TextField {...form.text('userId')} label="User id" size="small" />
        <TextField {...form.text('from')} label="From" type="datetime-local" size="small" slotProps={{ inputLabel: { shrink: true } }} />
        <TextField {...form.text('to')} label="To" type="datetime-local" size="small" slotProps={{ inputLabel: { shrink: true } }} />
        <Button type="submit" variant="contained">
          Filter
        </Button>
      </Box>
      <DataTable
        list="admin.audit"
        label="Audit entries"
        what="the audit log"
        columns={auditColumns}
        hiddenColumns={auditColumnsHidden}
        getRowId={(e) => e.sequence}
        result={result}
        pages={pages}
        pageSize={50}
        emptyText="No entries match."
      />
    </Stack>
  );
}

function ChainVerification() {
  const [verify, { data, error, isFetching }] = useLazyVerifyAuditQuery();
  return (
    <Stack spacing={1} sx={{ alignItems: 'flex-start' }}>
      <Button variant="outlined" onClick={() => void verify()} disabled={isFetching}>
        {isFetching ? 'Verifying the chain…' : 'Verify the hash chain'}
      </Button>
      {error && !isFetching && <ProblemAlert problem={error} />}
      {data && !isFetching && (
        <Alert severity={data.intact ? 'success' : 'error'} sx={{ alignSelf: 'stretch' }}>
          <AlertTitle>{data.intact ? 'The chain is intact' : 'The chain is broken'}</AlertTitle>
          {data.intact
            ? `${data.checkedEntries} entries checked.`
            : `At entry ${data.firstBrokenSequence ?? '?'}: ${reasons[data.reason ?? ''] ?? data.reason ?? 'unknown reason'} (${data.checkedEntries} entries checked).`}
        </Alert>
      )}
    </Stack>
  );
}
