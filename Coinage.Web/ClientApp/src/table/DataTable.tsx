import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { SerializedError } from '@reduxjs/toolkit';
import { DataGrid, type GridColDef, type GridPaginationModel, type GridValidRowModel } from '@mui/x-data-grid';
import { type ReactNode, useMemo } from 'react';
import type { ApiError } from '../api/apiError';
import { ProblemAlert } from '../forms/ProblemAlert';
import { QueryState } from '../forms/QueryState';
import type { CursorPage, CursorPages } from './cursorPages';
import { useStoredTableState } from './storedTableState';
import { TableToolbar } from './TableToolbar';

/** What a list query of RTK Query gives the table. */
export interface ListResult<R> {
  data?: CursorPage<R> | undefined;
  isLoading: boolean;
  isFetching: boolean;
  error?: ApiError | SerializedError | undefined;
  refetch: () => unknown;
}

export interface DataTableProps<R extends GridValidRowModel> {
  /** Names the list in this browser's storage (`coinage.table.<list>`): its column choice and density. */
  list: string;
  /** The grid's accessible name, e.g. "Orders". */
  label: string;
  /** The rows in words for the loading and error states, e.g. "your orders". */
  what: string;
  /** One array per list: add a column by adding an entry (see docs/frontend.md, Tables). */
  columns: readonly GridColDef<R>[];
  /** Columns hidden until the user shows them (Columns button); the choice is remembered. */
  hiddenColumns?: readonly string[];
  getRowId: (row: R) => string;
  result: ListResult<R>;
  pages: CursorPages;
  /** The `limit` the query asks for: the grid's page is the API's page. At most 100 (the MIT grid's limit). */
  pageSize: number;
  emptyText: string;
  /** Above the grid, right-aligned: e.g. the CSV export. */
  actions?: ReactNode;
  /** A page that shows a row selected (e.g. the run whose details are open). */
  selectedRowId?: string | null;
  /** Rows as tall as their content (cells with controls or chips that wrap), instead of the density's fixed height. */
  autoRowHeight?: boolean;
}

/**
 * The one table of the app's lists, on MUI X Data Grid (MIT). The API pages by cursor, newest first, so the grid
 * pages on the server: "next" follows the page's `nextCursor`, "previous" pops back to the cursor before, and the
 * total is known only once the last page is reached. Sorting a column orders the rows of the page shown, not the
 * whole history (the API has one order); the footer says so. Column choice and density are remembered per list.
 */
export function DataTable<R extends GridValidRowModel>({
  list,
  label,
  what,
  columns,
  hiddenColumns = [],
  getRowId,
  result,
  pages,
  pageSize,
  emptyText,
  actions,
  selectedRowId,
  autoRowHeight = false,
}: DataTableProps<R>) {
  const defaults = useMemo(() => ({ columns: Object.fromEntries(hiddenColumns.map((c) => [c, false])), density: 'compact' as const }), [hiddenColumns]);
  const [state, updateState] = useStoredTableState(list, defaults);
  const { data, isLoading, isFetching, error, refetch } = result;
  const hasNextPage = Boolean(data?.nextCursor);

  if (!data && !isLoading) {
    return <QueryState isLoading={false} error={error} onRetry={() => void refetch()} label={what} />;
  }

  const rows = data?.items ?? [];
  const onPaginationModelChange = (model: GridPaginationModel) => {
    if (model.page === pages.page && data?.nextCursor) {
      pages.next(data.nextCursor);
    } else if (model.page === 0) {
      // The first page (the grid also goes there when a column is sorted).
      pages.reset();
    } else if (model.page === pages.page - 2) {
      pages.previous();
    }
  };

  return (
    <Stack spacing={1}>
      {actions && <Stack direction="row" sx={{ justifyContent: 'flex-end' }}>{actions}</Stack>}
      {data && error && <ProblemAlert problem={error} />}
      <DataGrid<R>
        aria-label={label}
        rows={rows}
        columns={columns}
        getRowId={getRowId}
        loading={isLoading || isFetching}
        autoHeight
        // A page holds at most 100 rows: all of them in the DOM reads better (find in page, screen readers) than virtual rows.
        disableVirtualization
        paginationMode="server"
        paginationModel={{ page: pages.page - 1, pageSize }}
        onPaginationModelChange={onPaginationModelChange}
        pageSizeOptions={[pageSize]}
        // Unknown until the last page: "of more than N" before. The count is ours, never the grid's own last-page
        // count: that one races a page change whose rows come from the cache in the same render, and snaps to page 1.
        rowCount={hasNextPage ? -1 : (pages.page - 1) * pageSize + rows.length}
        paginationMeta={hasNextPage ? { hasNextPage } : {}}
        // The filters are the page's own (in the URL, sent to the API); the grid's would filter one page only.
        disableColumnFilter
        disableRowSelectionOnClick
        showToolbar
        slots={{ toolbar: TableToolbar }}
        slotProps={{ loadingOverlay: { variant: 'linear-progress', noRowsVariant: 'skeleton' } }}
        localeText={{ noRowsLabel: emptyText }}
        columnVisibilityModel={state.columns}
        onColumnVisibilityModelChange={(model) => updateState({ columns: model })}
        density={state.density}
        onDensityChange={(density) => updateState({ density })}
        {...(selectedRowId != null && { rowSelectionModel: { type: 'include' as const, ids: new Set([selectedRowId]) } })}
        {...(autoRowHeight && { getRowHeight: () => 'auto' as const })}
        sx={{ '& .MuiDataGrid-cell': { fontVariantNumeric: 'tabular-nums' } }}
      />
      <Typography variant="caption" color="text.secondary">
        Newest first. Sorting a column orders the rows of one page, starting again from the first.
      </Typography>
    </Stack>
  );
}
