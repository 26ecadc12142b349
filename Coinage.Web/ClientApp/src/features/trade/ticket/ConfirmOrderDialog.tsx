import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Typography from '@mui/material/Typography';
import { type Decimal, formatAmount } from '../../../money/money';
import { type CheckedOrder, describeTimeInForce, type OrderDraft } from '../orderMath';
import type { Market } from '../tradingApi';
import { describeOcoLegs, describeOrder, orderTypeWords } from './describeOrder';

/** An order as the trader confirms it: the checked request and the draft it came from, frozen together. */
export interface Confirmation {
  check: CheckedOrder;
  draft: OrderDraft;
}

/**
 * What the order is and exactly what it holds, before it is sent. An OCO shows both legs and its one hold (the larger
 * leg's need: both legs can never trade, the first to trade, trigger or be cancelled cancels the other).
 */
export function ConfirmOrderDialog({
  market,
  confirmation,
  busy,
  closed,
  onCancel,
  onConfirm,
}: {
  market: Market;
  confirmation: Confirmation | null;
  busy: boolean;
  /** The market stopped taking orders while the dialog was open. */
  closed: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const check = confirmation?.check;
  const draft = confirmation?.draft;
  const isOco = draft?.type === 'oco';
  const tif = isOco ? 'GTC' : check?.request?.timeInForce;
  const hold = check?.hold;
  const legs = check && draft && isOco ? describeOcoLegs(check, draft, market) : null;
  const precision = hold?.asset === market.quoteAsset ? market.quotePrecision : market.basePrecision;
  const amount = (value: Decimal | undefined) => (value ? `${formatAmount(value, precision)} ${hold?.asset ?? ''}` : '—');
  return (
    <Dialog open={confirmation !== null} onClose={busy ? undefined : onCancel} aria-labelledby="confirm-order-title" fullWidth maxWidth="xs">
      <DialogTitle id="confirm-order-title">Confirm order</DialogTitle>
      {check && draft && tif && (
        <DialogContent>
          {legs ? (
            <Box component="ol" sx={{ m: 0, mb: 1, pl: 2.5, '& li': { fontWeight: 600, mb: 0.5 } }} aria-label="The two orders">
              <li data-testid="confirm-leg-limit">Limit: {legs.limit}</li>
              <li data-testid="confirm-leg-stop">Stop: {legs.stop}</li>
            </Box>
          ) : (
            <Typography sx={{ fontWeight: 600, mb: 1 }}>{describeOrder(check, draft, market)}</Typography>
          )}
          <Typography variant="body2" sx={{ mb: 0.5 }} data-testid="confirm-terms">
            {isOco ? 'One-cancels-the-other: the first order to trade, trigger or be cancelled cancels the other' : `${orderTypeWords(draft)} order, ${tif}`}
            {check.request?.postOnly ? ', post only' : ''}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }} data-testid="confirm-tif">
            {isOco ? 'The limit order is good till cancelled; the stop waits off the book for its trigger.' : describeTimeInForce(tif)}
          </Typography>
          {hold && (
            <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 2, rowGap: 0.5, m: 0, '& dd': { m: 0, textAlign: 'right', fontVariantNumeric: 'tabular-nums' } }}>
              {hold.notional && (
                <>
                  <dt>{isOco ? 'Value of the dearer order' : 'Order value'}</dt>
                  <dd>{amount(hold.notional)}</dd>
                  <dt>Fee, at most ({hold.feeBps?.dividedBy(100).toFixed()}%)</dt>
                  <dd>{amount(hold.fee)}</dd>
                </>
              )}
              <Box component="dt" sx={{ fontWeight: 600 }}>
                {isOco ? 'Held now, once for both' : 'Held now'}
              </Box>
              <Box component="dd" sx={{ fontWeight: 600 }} data-testid="confirm-hold">
                {amount(hold.amount)}
              </Box>
            </Box>
          )}
          {hold?.fee && (
            <Typography variant="caption" color="text.secondary" sx={{ display: 'block', mt: 1.5 }}>
              The fee is held at the taker rate; what a maker fill or a better price does not use is released.
            </Typography>
          )}
          {closed && (
            <Typography variant="body2" color="error" role="alert" sx={{ mt: 1.5 }}>
              {market.symbol} stopped taking new orders.
            </Typography>
          )}
        </DialogContent>
      )}
      <DialogActions>
        <Button onClick={onCancel} disabled={busy}>
          Back
        </Button>
        <Button variant="contained" onClick={onConfirm} disabled={busy || closed} autoFocus>
          Place order
        </Button>
      </DialogActions>
    </Dialog>
  );
}
