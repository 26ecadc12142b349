import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { useForm } from '../../forms/useForm';
import { type AuditFilter, useLazyVerifyAuditQuery, useListAuditQuery } from './adminApi';
import { AuditFilterRow, timeRangeError, timeRangeFilter } from './AuditFilterRow';
import { auditColumns, auditColumnsHidden } from './auditColumns';
import { useCursorPages } from '../../table/cursorPages';
import { DataTable } from '../../table/DataTable';

const uuidPattern = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

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
        to: timeRangeError(v),
      }),
      hints: { action: 'Exact action, e.g. auth.sign_in_failed' },
    },
  );
  const submit = form.handleSubmit((v) => {
    pages.reset();
    setFilter({
      ...(v.action.trim() !== '' && { action: v.action.trim() }),
      ...(v.userId.trim() !== '' && { userId: v.userId.trim() }),
      ...timeRangeFilter(v),
    });
  });

  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        Audit log
      </Typography>
      <ChainVerification />
      <AuditFilterRow label="Filter the audit log" submitLabel="Filter" form={form} onSubmit={submit} columns="1fr 1fr">
        <TextField {...form.text('action')} label="Action" size="small" />
        <TextField {...form.text('userId')} label="User id" size="small" />
      </AuditFilterRow>
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
