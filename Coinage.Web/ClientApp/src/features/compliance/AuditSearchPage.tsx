import Box from '@mui/material/Box';
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
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { useForm } from '../../forms/useForm';
import { CursorPager, useCursorPages } from '../admin/CursorPager';
import { type AuditSearchArgs, useSearchAuditQuery } from './complianceApi';

/** `<input type="datetime-local">` is local time without a zone; the API wants an instant. */
function toIso(local: string): string | undefined {
  if (!local) {
    return undefined;
  }
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * Full-text search of the audit log: words of actions and details, an IP address or a user id;
 * a time range; counts per action, which also filter (click a count to keep only that action).
 */
export function AuditSearchPage() {
  const [search, setSearch] = useState<AuditSearchArgs>({});
  const pages = useCursorPages();
  const { data, isLoading, isFetching, error, refetch } = useSearchAuditQuery({
    ...search,
    limit: 50,
    ...(pages.cursor !== undefined && { cursor: pages.cursor }),
  });
  const form = useForm(
    { q: '', from: '', to: '' },
    {
      validate: (v) => ({
        q: v.q.length > 200 ? 'At most 200 characters.' : undefined,
        to: v.from && v.to && v.to <= v.from ? 'Must be after “From”.' : undefined,
      }),
      hints: { q: 'Words of an action or its details, an IP address or a user id' },
    },
  );
  const submit = form.handleSubmit((v) => {
    pages.reset();
    const from = toIso(v.from);
    const to = toIso(v.to);
    setSearch((current) => ({
      ...(current.actions !== undefined && { actions: current.actions }),
      ...(v.q.trim() !== '' && { q: v.q.trim() }),
      ...(from !== undefined && { from }),
      ...(to !== undefined && { to }),
    }));
  });
  const toggleAction = (action: string) => {
    pages.reset();
    setSearch(({ actions, ...rest }) => (actions?.includes(action) ? rest : { ...rest, actions: [action] }));
  };

  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        Audit search
      </Typography>
      <Box
        component="form"
        noValidate
        onSubmit={submit}
        aria-label="Search the audit log"
        sx={{ display: 'grid', gap: 1, gridTemplateColumns: { xs: '1fr', md: '2fr 1fr 1fr auto' }, alignItems: 'start' }}
      >
        <TextField {...form.text('q')} label="Search" size="small" />
        <TextField {...form.text('from')} label="From" type="datetime-local" size="small" slotProps={{ inputLabel: { shrink: true } }} />
        <TextField {...form.text('to')} label="To" type="datetime-local" size="small" slotProps={{ inputLabel: { shrink: true } }} />
        <Button type="submit" variant="contained">
          Search
        </Button>
      </Box>
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="the audit search" />
      ) : (
        <>
          {error && <ProblemAlert problem={error} />}
          <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }} role="group" aria-label="Entries by action">
            {data.aggregations.actions.map((a) => (
              <Chip
                key={a.action}
                label={`${a.action} · ${a.count}`}
                color={search.actions?.includes(a.action) ? 'primary' : 'default'}
                onClick={() => toggleAction(a.action)}
                aria-pressed={search.actions?.includes(a.action) ?? false}
              />
            ))}
          </Stack>
          {data.items.length === 0 ? (
            <Typography color="text.secondary">No entries match.</Typography>
          ) : (
            <TableContainer component={Paper} variant="outlined">
              <Table size="small" aria-label="Audit search results" aria-busy={isFetching}>
                <TableHead>
                  <TableRow>
                    <TableCell>#</TableCell>
                    <TableCell>Time</TableCell>
                    <TableCell>Action</TableCell>
                    <TableCell>Actor</TableCell>
                    <TableCell>Subject</TableCell>
                    <TableCell>IP</TableCell>
                    <TableCell>Data</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {data.items.map((e) => (
                    <TableRow key={e.sequence}>
                      <TableCell>{e.sequence}</TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDate(e.occurredAt)}</TableCell>
                      <TableCell>{e.action}</TableCell>
                      <TableCell sx={{ fontFamily: 'monospace', fontSize: '0.75rem' }}>{e.actorUserId ?? '—'}</TableCell>
                      <TableCell sx={{ fontFamily: 'monospace', fontSize: '0.75rem' }}>{e.subjectUserId ?? '—'}</TableCell>
                      <TableCell>{e.ipAddress ?? '—'}</TableCell>
                      <TableCell sx={{ fontFamily: 'monospace', fontSize: '0.75rem', wordBreak: 'break-all', maxWidth: 280 }}>{e.data}</TableCell>
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
