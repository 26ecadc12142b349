import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Tab from '@mui/material/Tab';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tabs from '@mui/material/Tabs';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { Link as RouterLink, useLocation } from 'react-router';
import { isApiError } from '../../api/apiError';
import { useAppSelector } from '../../app/hooks';
import { formatDate, QueryState } from '../../forms/QueryState';
import { CursorPager, useCursorPages } from '../admin/CursorPager';
import { selectSessionStatus } from '../auth/authSlice';
import { BalancesTab } from './BalancesTab';
import { closeReasonText } from './closeReasons';
import { focusRing } from './focusRing';
import { formatPrice, formatQuote, formatSize } from './format';
import { AmendOrderDialog } from './orders/AmendOrderDialog';
import { isAmendable } from './orders/amendMath';
import { useToast } from '../../notifications/Toasts';
import {
  type Market,
  type Order,
  triggerDirection,
  useCancelAllOrdersMutation,
  useCancelOrderMutation,
  useGetFillsQuery,
  useGetOpenOrdersQuery,
  useGetOrderHistoryQuery,
} from './tradingApi';

const statusNames: Record<Order['status'], string> = {
  pending: 'Pending',
  untriggered: 'Untriggered',
  open: 'Open',
  partially_filled: 'Partially filled',
  filled: 'Filled',
  cancelled: 'Cancelled',
  rejected: 'Rejected',
};

const narrow = { display: { xs: 'none', md: 'table-cell' } } as const;
const cells = { '& td, & th': { fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' } } as const;

/** The two legs of an OCO pair next to each other, in the order the list has the first of them. */
export function pairOcoLegs(orders: readonly Order[]): Order[] {
  const byId = new Map(orders.map((o) => [o.id, o]));
  const placed = new Set<string>();
  const paired: Order[] = [];
  for (const order of orders) {
    if (placed.has(order.id)) continue;
    paired.push(order);
    placed.add(order.id);
    const partner = order.ocoPartnerId ? byId.get(order.ocoPartnerId) : undefined;
    if (partner && !placed.has(partner.id)) {
      paired.push(partner);
      placed.add(partner.id);
    }
  }
  return paired;
}

function OrderRows({
  orders,
  market,
  table,
  onCancel,
  onAmend,
}: {
  orders: Order[];
  market: Market;
  /** Prefix of the rows' ids, unique per table, so an OCO chip can take the focus to its partner's row. */
  table: string;
  onCancel?: (order: Order) => void;
  onAmend?: (order: Order) => void;
}) {
  const rowId = (id: string) => `${table}-order-${id}`;
  return (
    <TableBody>
      {pairOcoLegs(orders).map((o) => (
        <TableRow key={o.id} id={rowId(o.id)} tabIndex={-1} sx={o.ocoPartnerId ? { '& td:first-of-type': { boxShadow: (t) => `inset 3px 0 ${t.palette.info.main}` } } : undefined}>
          <TableCell sx={narrow}>{formatDate(o.createdAt)}</TableCell>
          <TableCell sx={{ color: o.side === 'buy' ? 'success.main' : 'error.main', textTransform: 'capitalize' }}>
            {o.side} {o.type.replaceAll('_', ' ')}
            {o.ocoPartnerId && (
              <Chip
                label="OCO"
                size="small"
                variant="outlined"
                color="info"
                sx={{ ml: 0.5, height: 18, fontSize: '0.6875rem' }}
                aria-label={`One-cancels-the-other with order ${o.ocoPartnerId}: go to it`}
                title={`One-cancels-the-other with order ${o.ocoPartnerId}`}
                onClick={() => document.getElementById(rowId(o.ocoPartnerId!))?.focus()}
              />
            )}
            <OrderTrigger order={o} market={market} />
          </TableCell>
          <TableCell align="right">{o.price ? formatPrice(o.price, market) : 'Market'}</TableCell>
          <TableCell align="right">
            {o.quantity ? `${formatSize(o.quantity, market)} ${market.baseAsset}` : `${formatQuote(o.quoteAmount, market)} ${market.quoteAsset}`}
          </TableCell>
          <TableCell align="right" sx={narrow}>
            {formatSize(o.filledQuantity, market)}
          </TableCell>
          <TableCell>
            {statusNames[o.status]}
            {closeReasonText(o.closeReason) && (
              <Typography variant="caption" color="text.secondary" component="div" sx={{ whiteSpace: 'normal', maxWidth: 260 }}>
                {closeReasonText(o.closeReason)}
              </Typography>
            )}
          </TableCell>
          {onCancel && (
            <TableCell align="right">
              {onAmend && isAmendable(o) && (
                <Button size="small" onClick={() => onAmend(o)}>
                  Amend
                </Button>
              )}
              <Button size="small" color="error" onClick={() => onCancel(o)}>
                Cancel
              </Button>
            </TableCell>
          )}
        </TableRow>
      ))}
    </TableBody>
  );
}

/** The trigger of a stop or take-profit order under its type: the price that fires it, and whether it has fired. */
function OrderTrigger({ order, market }: { order: Order; market: Market }) {
  const direction = triggerDirection(order);
  if (!direction || !order.triggerPrice) return null;
  return (
    <Typography variant="caption" color="text.secondary" component="div" sx={{ textTransform: 'none' }}>
      trigger {direction} {formatPrice(order.triggerPrice, market)}
      {order.triggeredAt ? ' · triggered' : ''}
    </Typography>
  );
}

function OrderHead({ cancel }: { cancel?: boolean }) {
  return (
    <TableHead>
      <TableRow>
        <TableCell sx={narrow}>Time</TableCell>
        <TableCell>Side</TableCell>
        <TableCell align="right">Price</TableCell>
        <TableCell align="right">Amount</TableCell>
        <TableCell align="right" sx={narrow}>
          Filled
        </TableCell>
        <TableCell>Status</TableCell>
        {cancel && (
          <TableCell align="right">
            <Box component="span" sx={{ position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)' }}>
              Actions
            </Box>
          </TableCell>
        )}
      </TableRow>
    </TableHead>
  );
}

function OpenOrders({ market }: { market: Market }) {
  const pages = useCursorPages();
  const query = useGetOpenOrdersQuery({ market: market.symbol, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  const [cancel] = useCancelOrderMutation();
  const [cancelAll, cancellingAll] = useCancelAllOrdersMutation();
  const [amending, setAmending] = useState<Order | null>(null);
  const notify = useToast();

  async function run(action: () => Promise<unknown>, done: string) {
    try {
      await action();
      notify(done, 'info');
    } catch (error) {
      notify(isApiError(error) ? (error.detail ?? error.title) : 'The cancel could not be sent.', 'error');
    }
  }

  const orders = query.data?.items ?? [];
  return (
    <>
      <Box sx={{ display: 'flex', justifyContent: 'flex-end', px: 1, pt: 1 }}>
        <Button
          size="small"
          color="error"
          disabled={orders.length === 0 || cancellingAll.isLoading}
          onClick={() => void run(() => cancelAll(market.symbol).unwrap(), `Cancelling all ${market.symbol} orders.`)}
        >
          Cancel all
        </Button>
      </Box>
      <QueryState isLoading={query.isLoading} error={query.error} onRetry={() => void query.refetch()} label="open orders" />
      {query.isSuccess && orders.length === 0 && (
        <Typography color="text.secondary" sx={{ p: 2 }}>
          No open orders in {market.symbol}.
        </Typography>
      )}
      {orders.length > 0 && (
        <TableContainer>
          <Table size="small" aria-label="Open orders" sx={cells}>
            <OrderHead cancel />
            <OrderRows
              orders={orders}
              market={market}
              table="open"
              onAmend={setAmending}
              onCancel={(o) =>
                void run(() => cancel(o.id).unwrap(), o.ocoPartnerId ? 'Cancel requested: the other order of its OCO pair is cancelled with it.' : 'Cancel requested.')
              }
            />
          </Table>
        </TableContainer>
      )}
      <CursorPager page={pages.page} nextCursor={query.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} disabled={query.isFetching} />
      {/* The live row, so the dialog follows the order (a fill while it is open changes what can be amended). */}
      <AmendOrderDialog order={amending ? (orders.find((o) => o.id === amending.id) ?? amending) : null} market={market} onClose={() => setAmending(null)} />
    </>
  );
}

function OrderHistory({ market }: { market: Market }) {
  const pages = useCursorPages();
  const query = useGetOrderHistoryQuery({ market: market.symbol, ...(pages.cursor !== undefined && { cursor: pages.cursor }) });
  const orders = query.data?.items ?? [];
  return (
    <>
      <QueryState isLoading={query.isLoading} error={query.error} onRetry={() => void query.refetch()} label="order history" />
      {query.isSuccess && orders.length === 0 && (
        <Typography color="text.secondary" sx={{ p: 2 }}>
          No orders in {market.symbol} yet.
        </Typography>
      )}
      {orders.length > 0 && (
        <TableContainer>
          <Table size="small" aria-label="Order history" sx={cells}>
            <OrderHead />
            <OrderRows orders={orders} market={market} table="history" />
          </Table>
        </TableContainer>
      )}
      <CursorPager page={pages.page} nextCursor={query.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} disabled={query.isFetching} />
    </>
  );
}

function Fills({ markets }: { markets: Market[] }) {
  const pages = useCursorPages();
  const query = useGetFillsQuery(pages.cursor !== undefined ? { cursor: pages.cursor } : {});
  const fills = query.data?.items ?? [];
  return (
    <>
      <QueryState isLoading={query.isLoading} error={query.error} onRetry={() => void query.refetch()} label="fills" />
      {query.isSuccess && fills.length === 0 && (
        <Typography color="text.secondary" sx={{ p: 2 }}>
          No fills yet.
        </Typography>
      )}
      {fills.length > 0 && (
        <TableContainer>
          <Table size="small" aria-label="Fills" sx={cells}>
            <TableHead>
              <TableRow>
                <TableCell sx={narrow}>Time</TableCell>
                <TableCell>Market</TableCell>
                <TableCell>Side</TableCell>
                <TableCell align="right">Price</TableCell>
                <TableCell align="right">Amount</TableCell>
                <TableCell align="right" sx={narrow}>
                  Fee
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {fills.map((f) => {
                const m = markets.find((x) => x.symbol === f.market);
                return (
                  <TableRow key={`${f.id}-${f.orderId}`}>
                    <TableCell sx={narrow}>{formatDate(f.createdAt)}</TableCell>
                    <TableCell>{f.market}</TableCell>
                    <TableCell sx={{ color: f.side === 'buy' ? 'success.main' : 'error.main', textTransform: 'capitalize' }}>
                      {f.side} ({f.liquidity})
                    </TableCell>
                    <TableCell align="right">{m ? formatPrice(f.price, m) : f.price}</TableCell>
                    <TableCell align="right">{m ? formatSize(f.quantity, m) : f.quantity}</TableCell>
                    <TableCell align="right" sx={narrow}>
                      {m ? formatQuote(f.fee, m) : f.fee} {f.feeAsset}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      <CursorPager page={pages.page} nextCursor={query.data?.nextCursor} onNext={pages.next} onPrevious={pages.previous} disabled={query.isFetching} />
    </>
  );
}

const tabs = ['Open orders', 'Order history', 'Fills', 'Balances'] as const;

/**
 * The trade page's bottom panel: the trader's own orders, fills and balances; the hub's order and fill events
 * refetch them, its balance events patch the balances. As tall as the page's grid makes it, scrolling inside.
 */
export function OrdersPanel({ market, markets }: { market: Market; markets: Market[] }) {
  const signedIn = useAppSelector(selectSessionStatus) === 'signedIn';
  const location = useLocation();
  const [tab, setTab] = useState(0);
  return (
    <Paper variant="outlined" component="section" aria-label="Your orders" sx={{ height: '100%', display: 'flex', flexDirection: 'column' }}>
      <Tabs
        value={tab}
        onChange={(_e, value: number) => setTab(value)}
        variant="scrollable"
        allowScrollButtonsMobile
        aria-label="Your orders"
        sx={{ flex: 'none', minHeight: 40, '& .MuiTab-root': { minHeight: 40, py: 0.5 } }}
      >
        {tabs.map((label, index) => (
          <Tab key={label} label={label} id={`orders-tab-${index}`} aria-controls={`orders-tabpanel-${index}`} />
        ))}
      </Tabs>
      {/* Focusable: a scrolling region must be reachable by keyboard (axe: scrollable-region-focusable). Positioned, so
          the visually hidden header text (position: absolute) is clipped with the table instead of widening the page. */}
      <Box
        role="tabpanel"
        tabIndex={0}
        id={`orders-tabpanel-${tab}`}
        aria-labelledby={`orders-tab-${tab}`}
        sx={(theme) => ({ position: 'relative', pb: 1, flex: '1 1 auto', minHeight: 0, overflowY: 'auto', '&:focus-visible': focusRing(theme) })}
      >
        {!signedIn ? (
          <Typography color="text.secondary" sx={{ p: 2 }}>
            <Link component={RouterLink} to="/sign-in" state={{ from: location.pathname }}>
              Sign in
            </Link>{' '}
            to see your orders.
          </Typography>
        ) : tab === 0 ? (
          <OpenOrders market={market} />
        ) : tab === 1 ? (
          <OrderHistory market={market} />
        ) : tab === 2 ? (
          <Fills markets={markets} />
        ) : (
          <BalancesTab market={market} markets={markets} />
        )}
      </Box>
    </Paper>
  );
}
