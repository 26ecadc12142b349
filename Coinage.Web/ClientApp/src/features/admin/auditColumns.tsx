import Box from '@mui/material/Box';
import type { GridColDef } from '@mui/x-data-grid';
import { idColumn, timeColumn } from '../../table/columns';
import type { AuditEntry } from './adminApi';

/** The audit log's columns, shared by the Admin's log and Compliance's search. */
export const auditColumns: GridColDef<AuditEntry>[] = [
  { field: 'sequence', headerName: '#', minWidth: 70, type: 'number', valueGetter: (_v, e) => Number(e.sequence) },
  timeColumn('occurredAt', 'Time', (e) => e.occurredAt),
  { field: 'action', headerName: 'Action', minWidth: 180 },
  idColumn('actorUserId', 'Actor', (e) => e.actorUserId, { minWidth: 150 }),
  idColumn('subjectUserId', 'Subject', (e) => e.subjectUserId, { minWidth: 150 }),
  { field: 'ipAddress', headerName: 'IP', minWidth: 110, valueGetter: (_v, e) => e.ipAddress ?? '—' },
  {
    field: 'data',
    headerName: 'Data',
    minWidth: 260,
    flex: 2,
    renderCell: ({ row }) => (
      <Box component="span" sx={{ fontFamily: 'monospace', fontSize: '0.75rem', wordBreak: 'break-all', whiteSpace: 'normal', lineHeight: 1.3 }}>
        {row.data}
      </Box>
    ),
  },
  idColumn('hash', 'Hash', (e) => e.hash),
];

export const auditColumnsHidden = ['hash'];
