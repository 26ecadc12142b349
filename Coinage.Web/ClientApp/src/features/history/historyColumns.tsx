import Typography from '@mui/material/Typography';
import type { GridColDef } from '@mui/x-data-grid';
import { formatAmount } from '../../money/money';
import { amountColumn, idColumn, sideColumn, timeColumn } from '../../table/columns';
import { closeReasonText } from '../trade/closeReasons';
import type { FillRow, OrderRow } from './historyApi';

type Precision = (asset: string) => number;

const baseOf = (market: string) => market.split('-')[0] ?? market;
const quoteOf = (market: string) => market.split('-')[1] ?? market;

/** `stop_limit` → "Stop limit": the order types in words. */
export const orderTypeLabel = (type: string) => {
  const words = type.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export const orderStatusLabels: Record<string, string> = {
  pending: 'Pending',
  untriggered: 'Untriggered',
  open: 'Open',
  partially_filled: 'Partially filled',
  filled: 'Filled',
  cancelled: 'Cancelled',
  rejected: 'Rejected',
};

/**
 * The order history's columns: one array, so a new column (an order type's trigger, say) is one more entry.
 * Sizes print to the base asset's decimals, prices, totals and fees to the quote asset's.
 */
export function orderColumns(precision: Precision): GridColDef<OrderRow>[] {
  const base = (o: OrderRow) => precision(baseOf(o.market));
  const quote = (o: OrderRow) => precision(quoteOf(o.market));
  return [
    timeColumn('createdAt', 'Time', (o) => o.createdAt),
    { field: 'market', headerName: 'Market', minWidth: 90 },
    sideColumn('side', (o) => o.side),
    {
      field: 'type',
      headerName: 'Type',
      minWidth: 110,
      // An OCO leg says so: its partner's close reason (oco_partner) reads with it.
      valueGetter: (_v, o) => `${orderTypeLabel(o.type)}${o.ocoPartnerId ? ' (OCO)' : ''}`,
    },
    amountColumn('price', 'Price', (o) => o.price, quote),
    amountColumn('triggerPrice', 'Trigger', (o) => o.triggerPrice ?? null, quote),
    amountColumn('quantity', 'Amount', (o) => o.quantity, base, {
      // A market buy by quote amount has no quantity: show what it spends instead.
      renderCell: ({ row: o }) =>
        o.quantity !== null ? formatAmount(o.quantity, base(o)) : o.quoteAmount !== null ? `${formatAmount(o.quoteAmount, quote(o))} ${quoteOf(o.market)}` : '—',
    }),
    amountColumn('filledQuantity', 'Filled', (o) => o.filledQuantity, base),
    amountColumn('averagePrice', 'Average', (o) => o.averagePrice, quote),
    amountColumn('filledQuote', 'Total', (o) => o.filledQuote, quote, { suffix: (o) => quoteOf(o.market) }),
    amountColumn('fee', 'Fee', (o) => o.fee, quote, { suffix: (o) => quoteOf(o.market) }),
    { field: 'status', headerName: 'Status', minWidth: 120, valueGetter: (_v, o) => orderStatusLabels[o.status] ?? o.status },
    {
      field: 'closeReason',
      headerName: 'Cancel reason',
      minWidth: 200,
      flex: 1.5,
      valueGetter: (_v, o) => closeReasonText(o.closeReason) ?? '',
      renderCell: ({ value }) => (
        <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: 'normal', lineHeight: 1.3 }}>
          {(value as string) || '—'}
        </Typography>
      ),
    },
    { field: 'timeInForce', headerName: 'Time in force', minWidth: 90, valueGetter: (_v, o) => o.timeInForce.toUpperCase() },
    idColumn('id', 'Order id', (o) => o.id),
    idColumn('clientOrderId', 'Client order id', (o) => o.clientOrderId),
    timeColumn('updatedAt', 'Updated', (o) => o.updatedAt),
  ];
}

export const orderColumnsHidden = ['timeInForce', 'clientOrderId', 'updatedAt'];

/** The fills' columns (the user's side of each trade). */
export function fillColumns(precision: Precision): GridColDef<FillRow>[] {
  const base = (f: FillRow) => precision(baseOf(f.market));
  const quote = (f: FillRow) => precision(quoteOf(f.market));
  return [
    timeColumn('createdAt', 'Time', (f) => f.createdAt),
    { field: 'market', headerName: 'Market', minWidth: 90 },
    sideColumn('side', (f) => f.side),
    { field: 'liquidity', headerName: 'Liquidity', minWidth: 80, valueGetter: (_v, f) => (f.liquidity === 'maker' ? 'Maker' : 'Taker') },
    amountColumn('price', 'Price', (f) => f.price, quote),
    amountColumn('quantity', 'Amount', (f) => f.quantity, base),
    amountColumn('quoteAmount', 'Total', (f) => f.quoteAmount, quote, { suffix: (f) => quoteOf(f.market) }),
    amountColumn('fee', 'Fee', (f) => f.fee, (f) => precision(f.feeAsset), { suffix: (f) => f.feeAsset }),
    idColumn('orderId', 'Order id', (f) => f.orderId),
    idColumn('id', 'Trade id', (f) => f.id),
  ];
}

export const fillColumnsHidden = ['id'];
