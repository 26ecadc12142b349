import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import InputAdornment from '@mui/material/InputAdornment';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type FormEvent, useState } from 'react';
import { isApiError } from '../../../api/apiError';
import { ProblemAlert } from '../../../forms/ProblemAlert';
import type { FormProblem } from '../../../forms/useForm';
import { Decimal } from '../../../money/money';
import { useToast } from '../../../notifications/Toasts';
import { formatPrice, formatSize } from '../format';
import { type Market, type Order, useAmendOrderMutation } from '../tradingApi';
import { type AmendDraft, type AmendField, amendFieldOfProblem, checkAmend } from './amendMath';

/**
 * Amends a resting limit order: its price and/or its total size (`PATCH /api/v1/orders/{id}`). Checked on the tick and
 * lot grid as typed; says whether the order keeps its place in the queue; Enter sends it; a refusal lands on its field.
 * The row updates when the order does (the Orders tag, and the hub's orderUpdate).
 */
export function AmendOrderDialog({ order, market, onClose }: { order: Order | null; market: Market; onClose: () => void }) {
  return (
    <Dialog open={order !== null} onClose={onClose} aria-labelledby="amend-order-title" fullWidth maxWidth="xs">
      {/* Keyed by order: every opening starts from that order's terms. */}
      {order && <AmendForm key={order.id} order={order} market={market} onClose={onClose} />}
    </Dialog>
  );
}

function AmendForm({ order, market, onClose }: { order: Order; market: Market; onClose: () => void }) {
  const [amend, amending] = useAmendOrderMutation();
  const notify = useToast();
  const [draft, setDraft] = useState<AmendDraft>({ price: new Decimal(order.price ?? '0').toFixed(), quantity: new Decimal(order.quantity ?? '0').toFixed() });
  const [touched, setTouched] = useState<Partial<Record<AmendField, boolean>>>({});
  const [serverErrors, setServerErrors] = useState<Partial<Record<AmendField, string>>>({});
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const check = checkAmend(order, draft, market);
  const closed = market.status !== 'open';
  const errorOf = (field: AmendField) => serverErrors[field] ?? (touched[field] ? check.errors[field] : undefined);
  const change = (field: AmendField, value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setTouched((t) => ({ ...t, [field]: true }));
    setServerErrors((e) => ({ ...e, [field]: undefined }));
    setProblem(null);
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched({ price: true, quantity: true });
    const request = check.request;
    if (!request) return;
    try {
      await amend(request).unwrap();
      notify(`Order amended: ${formatSize(request.quantity ?? order.quantity, market)} ${market.baseAsset} at ${formatPrice(request.price ?? order.price, market)} ${market.quoteAsset}.`, 'success');
      onClose();
    } catch (error) {
      const apiError = isApiError(error) ? error : null;
      const message = apiError ? (apiError.detail ?? apiError.title) : 'The amend could not be sent.';
      const field = amendFieldOfProblem(apiError?.code, apiError?.errors, request);
      if (field) setServerErrors({ [field]: apiError?.errors?.[field]?.[0] ?? message });
      else setProblem({ title: apiError?.title ?? 'The order could not be amended', ...(apiError?.detail !== undefined && { detail: apiError.detail }) });
    }
  }

  const filled = new Decimal(order.filledQuantity);
  const unchanged = !check.request && Object.keys(check.errors).length === 0;
  return (
    <form noValidate onSubmit={(e) => void submit(e)}>
      <DialogTitle id="amend-order-title">Amend order</DialogTitle>
      <DialogContent>
        <Typography variant="body2" sx={{ mb: 2 }}>
          {order.side === 'buy' ? 'Buy' : 'Sell'} {formatSize(order.quantity, market)} {market.baseAsset} at {formatPrice(order.price, market)} {market.quoteAsset}
          {filled.isZero() ? '' : `, ${formatSize(filled, market)} filled`}
        </Typography>
        <Stack spacing={2}>
          <TextField
            id="amend-price"
            label="Price"
            size="small"
            autoFocus={!closed}
            disabled={closed}
            value={draft.price}
            onChange={(e) => change('price', e.target.value)}
            error={errorOf('price') !== undefined}
            helperText={errorOf('price') ?? (closed ? `${market.symbol} takes no new orders: the price stays.` : `Tick ${new Decimal(market.tickSize).toFixed()} ${market.quoteAsset}`)}
            slotProps={{ htmlInput: { inputMode: 'decimal', autoComplete: 'off' }, input: { endAdornment: <InputAdornment position="end">{market.quoteAsset}</InputAdornment> } }}
          />
          <TextField
            id="amend-quantity"
            label="Amount"
            size="small"
            autoFocus={closed}
            value={draft.quantity}
            onChange={(e) => change('quantity', e.target.value)}
            error={errorOf('quantity') !== undefined}
            helperText={
              errorOf('quantity') ??
              `The new total size, filled part included: lot ${new Decimal(market.lotSize).toFixed()} ${market.baseAsset}${filled.isZero() ? '' : `, more than the ${filled.toFixed()} filled`}${closed ? ', smaller only' : ''}.`
            }
            slotProps={{ htmlInput: { inputMode: 'decimal', autoComplete: 'off' }, input: { endAdornment: <InputAdornment position="end">{market.baseAsset}</InputAdornment> } }}
          />
        </Stack>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }} data-testid="amend-priority">
          {unchanged
            ? 'Change the price or the amount.'
            : check.keepsPriority
              ? 'A smaller amount at the same price keeps the order\u2019s place in the queue.'
              : 'A new price or a larger amount puts the order at the back of the queue at its price.'}
        </Typography>
        <ProblemAlert problem={problem} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={amending.isLoading}>
          Back
        </Button>
        <Button type="submit" variant="contained" disabled={amending.isLoading}>
          Amend
        </Button>
      </DialogActions>
    </form>
  );
}
