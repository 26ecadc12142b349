import type { GridColDef, GridValidRowModel } from '@mui/x-data-grid';
import type { Amount } from '../../money/money';
import { amountColumn } from '../../table/columns';

type Precision = (asset: string) => number;

/** What every list of deposits shows (the trader's and the Admin's): the asset and the amount, to its decimals. */
export function depositColumns<R extends GridValidRowModel & { asset: string; amount: Amount }>(precision: Precision): GridColDef<R>[] {
  return [
    { field: 'asset', headerName: 'Asset', minWidth: 70 },
    amountColumn<R>('amount', 'Amount', (d) => d.amount, (d) => precision(d.asset)),
  ];
}

/**
 * What every list of withdrawals shows (the trader's and the Admin's): the asset, the amount that arrives, the fee
 * charged on top (the one stored at request) and the address.
 */
export function withdrawalColumns<R extends GridValidRowModel & { asset: string; amount: Amount; fee: Amount; address: string }>(precision: Precision): GridColDef<R>[] {
  return [
    ...depositColumns<R>(precision),
    amountColumn<R>('fee', 'Fee', (w) => w.fee, (w) => precision(w.asset)),
    { field: 'address', headerName: 'Address', minWidth: 220, flex: 2 },
  ];
}
