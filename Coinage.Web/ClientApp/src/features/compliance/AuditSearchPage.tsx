import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useForm } from '../../forms/useForm';
import { useCursorPages } from '../../table/cursorPages';
import { DataTable } from '../../table/DataTable';
import { AuditFilterRow, timeRangeError, timeRangeFilter } from '../admin/AuditFilterRow';
import { auditColumns, auditColumnsHidden } from '../admin/auditColumns';
import { type AuditSearchArgs, useSearchAuditQuery } from './complianceApi';

/**
 * Full-text search of the audit log: words of actions and details, an IP address or a user id;
 * a time range; counts per action, which also filter (click a count to keep only that action).
 */
export function AuditSearchPage() {
  const [search, setSearch] = useState<AuditSearchArgs>({});
  const pages = useCursorPages();
  const result = useSearchAuditQuery({
    ...search,
    limit: 50,
    ...(pages.cursor !== undefined && { cursor: pages.cursor }),
  });
  const form = useForm(
    { q: '', from: '', to: '' },
    {
      validate: (v) => ({
        q: v.q.length > 200 ? 'At most 200 characters.' : undefined,
        to: timeRangeError(v),
      }),
      hints: { q: 'Words of an action or its details, an IP address or a user id' },
    },
  );
  const submit = form.handleSubmit((v) => {
    pages.reset();
    setSearch((current) => ({
      ...(current.actions !== undefined && { actions: current.actions }),
      ...(v.q.trim() !== '' && { q: v.q.trim() }),
      ...timeRangeFilter(v),
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
      <AuditFilterRow label="Search the audit log" submitLabel="Search" form={form} onSubmit={submit} columns="2fr">
        <TextField {...form.text('q')} label="Search" size="small" />
      </AuditFilterRow>
      {result.data && (
        <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }} role="group" aria-label="Entries by action">
          {result.data.aggregations.actions.map((a) => (
            <Chip
              key={a.action}
              label={`${a.action} · ${a.count}`}
              color={search.actions?.includes(a.action) ? 'primary' : 'default'}
              onClick={() => toggleAction(a.action)}
              aria-pressed={search.actions?.includes(a.action) ?? false}
            />
          ))}
        </Stack>
      )}
      <DataTable
        list="compliance.audit"
        label="Audit search results"
        what="the audit search"
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
