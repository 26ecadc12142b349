import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { GridValidRowModel } from '@mui/x-data-grid';
import type { ReactNode } from 'react';
import { DataTable, type DataTableProps } from './DataTable';

/**
 * A list with its heading, as a page section: the heading names the section (landmark) and, unless `label` says
 * otherwise, the grid. `notice` goes between the heading and the grid (e.g. the problem of a row's action).
 */
export function TableSection<R extends GridValidRowModel>({
  title,
  headingId,
  notice,
  label,
  ...table
}: Omit<DataTableProps<R>, 'label'> & { title: string; headingId: string; notice?: ReactNode; label?: string }) {
  return (
    <Stack spacing={1} component="section" aria-labelledby={headingId}>
      <Typography variant="h6" component="h2" id={headingId}>
        {title}
      </Typography>
      {notice}
      <DataTable<R> label={label ?? title} {...table} />
    </Stack>
  );
}
