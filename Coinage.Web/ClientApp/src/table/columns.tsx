import Box from '@mui/material/Box';
import type { GridColDef, GridValidRowModel } from '@mui/x-data-grid';
import { formatDate } from '../forms/QueryState';
import { Decimal, formatAmount } from '../money/money';

/**
 * Column builders shared by every list, so a number, a time or a side looks and sorts the same everywhere.
 * Amounts stay decimal strings end to end: they sort through decimal.js and print with their asset's decimals.
 */

/** An amount: right-aligned, to `precision(row)` decimals with thousands separators, sorted as a decimal. */
export function amountColumn<R extends GridValidRowModel>(
  field: string,
  headerName: string,
  value: (row: R) => string | null | undefined,
  precision: (row: R) => number,
  options: Partial<GridColDef<R>> & { suffix?: (row: R) => string } = {},
): GridColDef<R> {
  const { suffix, ...rest } = options;
  return {
    field,
    headerName,
    align: 'right',
    headerAlign: 'right',
    minWidth: 110,
    flex: 1,
    valueGetter: (_value, row) => value(row) ?? null,
    sortComparator: compareDecimals,
    renderCell: ({ row }) => {
      const v = value(row);
      return v == null || v === '' ? '—' : `${formatAmount(v, precision(row))}${suffix ? ` ${suffix(row)}` : ''}`;
    },
    ...rest,
  };
}

/** A moment, shown in the user's locale and time zone; sorted by time. */
export function timeColumn<R extends GridValidRowModel>(field: string, headerName: string, value: (row: R) => string | null | undefined, options: Partial<GridColDef<R>> = {}): GridColDef<R> {
  return {
    field,
    headerName,
    type: 'dateTime',
    minWidth: 170,
    valueGetter: (_value, row) => {
      const iso = value(row);
      return iso ? new Date(iso) : null;
    },
    valueFormatter: (_value, row) => formatDate(value(row)),
    ...options,
  };
}

/** Buy in green, sell in red, with the word itself so colour is never the only cue. */
export function sideColumn<R extends GridValidRowModel>(field: string, value: (row: R) => string, options: Partial<GridColDef<R>> = {}): GridColDef<R> {
  return {
    field,
    headerName: 'Side',
    minWidth: 70,
    valueGetter: (_value, row) => value(row),
    renderCell: ({ row }) => <SideText side={value(row)} />,
    ...options,
  };
}

export function SideText({ side }: { side: string }) {
  return (
    <Box component="span" sx={{ color: side === 'buy' ? 'success.main' : side === 'sell' ? 'error.main' : 'text.primary', fontWeight: 500 }}>
      {side === 'buy' ? 'Buy' : side === 'sell' ? 'Sell' : side}
    </Box>
  );
}

/** An id in monospace, never wrapped into nonsense. */
export function idColumn<R extends GridValidRowModel>(field: string, headerName: string, value: (row: R) => string | null | undefined, options: Partial<GridColDef<R>> = {}): GridColDef<R> {
  return {
    field,
    headerName,
    minWidth: 120,
    valueGetter: (_value, row) => value(row) ?? '',
    renderCell: ({ row }) => (
      <Box component="span" sx={{ fontFamily: 'monospace', fontSize: '0.75rem' }}>
        {value(row) ?? '—'}
      </Box>
    ),
    ...options,
  };
}

export function compareDecimals(a: unknown, b: unknown): number {
  const x = typeof a === 'string' && a !== '' ? new Decimal(a) : null;
  const y = typeof b === 'string' && b !== '' ? new Decimal(b) : null;
  if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
  return x.comparedTo(y);
}
