import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import InputAdornment from '@mui/material/InputAdornment';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link as RouterLink, useLocation } from 'react-router';
import { type ApiError, isApiError } from '../../api/apiError';
import { useAppSelector } from '../../app/hooks';
import { ProblemAlert } from '../../forms/ProblemAlert';
import type { FormProblem } from '../../forms/useForm';
import { Decimal, formatAmount } from '../../money/money';
import { selectSessionStatus } from '../auth/authSlice';
import { formatPrice, formatQuote, formatSize } from './format';
import {
  allowedTimeInForce,
  type CheckedOrder,
  checkOrder,
  defaultTimeInForce,
  derivedSize,
  describeTimeInForce,
  type DraftErrors,
  type DraftField,
  fieldOfProblem,
  type OrderDraft,
  type OrderKind,
  type Side,
  sizeFields,
  type TimeInForce,
} from './orderMath';
import { useToast } from '../../notifications/Toasts';
import { type Market, type PlaceOrderRequest, useGetTradingBalancesQuery, usePlaceOrderMutation } from './tradingApi';
import type { Level } from '../../realtime/types';
import { focusRing } from './focusRing';
import { FeeEstimate } from './ticket/FeeEstimate';
import { QuickAmounts } from './ticket/QuickAmounts';
import type { QuickFill } from './ticket/ticketMath';

const initialDraft: OrderDraft = { side: 'buy', type: 'limit', price: '', amount: '', total: '', sizeBy: 'amount', timeInForce: 'GTC', postOnly: false };

/** 128 random bits as hex: works on plain-HTTP hosts too, where `crypto.randomUUID` is missing. */
function newClientOrderId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the order does, in words: "Buy 0.50 BTC at 100 USD". */
export function describeOrder(check: CheckedOrder, draft: OrderDraft, market: Market): string {
  const verb = draft.side === 'buy' ? 'Buy' : 'Sell';
  if (draft.type === 'market' && draft.side === 'buy') {
    return `Buy ${market.baseAsset} for ${formatQuote(check.request?.quoteAmount, market)} ${market.quoteAsset} at market`;
  }
  const size = `${formatSize(check.quantity, market)} ${market.baseAsset}`;
  return draft.type === 'market' ? `${verb} ${size} at market` : `${verb} ${size} at ${formatPrice(check.request?.price, market)} ${market.quoteAsset}`;
}

/** Where a picked book price lands: `nonce` makes picking the same price twice count. */
export interface PickedPrice {
  price: string;
  nonce: number;
}

/** An order as the trader confirms it: the checked request and the draft it came from, frozen together. */
interface Confirmation {
  check: CheckedOrder;
  draft: OrderDraft;
}

/**
 * Order entry. Validates on the market's grid, minimums, the best ask (a market buy must buy at least one
 * lot) and the user's balance as they type, shows what the order will hold, confirms, then places exactly
 * what was confirmed, with a client order id that a retry of the same order reuses (so a lost answer never
 * places it twice). A refusal lands on its field; nothing typed is lost.
 */
export function OrderForm({
  market,
  picked,
  bestAsk,
  book,
}: {
  market: Market;
  picked: PickedPrice | null;
  bestAsk?: string | null;
  /** The live book, for the fee estimate (maker or taker) and what a market order would get. */
  book?: { bids: readonly Level[]; asks: readonly Level[] };
}) {
  const signedIn = useAppSelector(selectSessionStatus) === 'signedIn';
  const location = useLocation();
  const balances = useGetTradingBalancesQuery(undefined, { skip: !signedIn });
  const [placeOrder, placing] = usePlaceOrderMutation();
  const notify = useToast();
  const [draft, setDraft] = useState<OrderDraft>(initialDraft);
  const [touched, setTouched] = useState<Partial<Record<DraftField, boolean>>>({});
  const [serverErrors, setServerErrors] = useState<DraftErrors>({});
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [confirming, setConfirming] = useState<Confirmation | null>(null);
  // The id of the last submission that got no definite answer: sending the same order again reuses it.
  const pending = useRef<{ key: string; id: string } | null>(null);

  useEffect(() => {
    if (picked) {
      setDraft((d) => ({ ...d, type: 'limit', price: picked.price, ...(d.type !== 'limit' && { timeInForce: defaultTimeInForce('limit'), postOnly: false }) }));
      setServerErrors((e) => ({ ...e, price: undefined }));
    }
  }, [picked]);

  const check = checkOrder(draft, market, signedIn ? balances.data : undefined, bestAsk);
  const shown = derivedSize(draft, market);
  const enabled = sizeFields(draft);
  const tifs = allowedTimeInForce(draft.type, draft.side);
  const holdPrecision = check.hold?.asset === market.quoteAsset ? market.quotePrecision : market.basePrecision;

  function update(patch: Partial<OrderDraft>, field?: DraftField) {
    setDraft((d) => {
      const next = { ...d, ...patch };
      // A time in force (and post-only) belongs to the order type it was chosen for: a new type starts from its default.
      if (next.type !== d.type) {
        next.timeInForce = defaultTimeInForce(next.type);
        next.postOnly = false;
      }
      // Switching side may leave a time in force the API refuses for the new combination.
      const allowed = allowedTimeInForce(next.type, next.side);
      if (!allowed.includes(next.timeInForce)) next.timeInForce = allowed[0]!;
      if (next.type === 'market' && next.side === 'buy') next.sizeBy = 'total';
      if (next.type === 'market' && next.side === 'sell') next.sizeBy = 'amount';
      return next;
    });
    if (field) {
      setTouched((t) => ({ ...t, [field]: true }));
      setServerErrors((e) => ({ ...e, [field]: undefined }));
    }
  }

  function errorOf(field: DraftField): string | undefined {
    return serverErrors[field] ?? (touched[field] ? check.errors[field] : undefined);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched({ price: true, amount: true, total: true });
    setProblem(null);
    if (check.request) setConfirming({ check, draft });
  }

  async function confirm() {
    // Exactly what the dialog shows: the request frozen when the trader pressed Buy/Sell, never the live form.
    const confirmed = confirming?.check.request;
    if (!confirming || !confirmed) return;
    const key = JSON.stringify(confirmed);
    if (pending.current?.key !== key) pending.current = { key, id: newClientOrderId() };
    const request: PlaceOrderRequest = { ...confirmed, clientOrderId: pending.current.id };
    const summary = describeOrder(confirming.check, confirming.draft, market);
    try {
      await placeOrder(request).unwrap();
      pending.current = null;
      setConfirming(null);
      setDraft((d) => ({ ...d, amount: '', total: '' }));
      setTouched({});
      notify(`Order placed: ${summary}`, 'success');
    } catch (error) {
      setConfirming(null);
      const apiError: ApiError | null = isApiError(error) ? error : null;
      // A 4xx is a verdict on these terms: editing them and sending again is a new order.
      if (apiError && typeof apiError.status === 'number' && apiError.status < 500) pending.current = null;
      const field = fieldOfProblem(apiError?.code, confirming.draft);
      const message = apiError ? (apiError.detail ?? apiError.title) : 'The order could not be placed.';
      if (field) {
        setServerErrors({ [field]: message });
      } else {
        setProblem({ title: apiError?.title ?? 'The order could not be placed', ...(apiError?.detail !== undefined && { detail: apiError.detail }) });
      }
      notify(`Order rejected: ${message}`, 'error');
    }
  }

  const available = balances.data?.find((b) => b.asset === (draft.side === 'buy' ? market.quoteAsset : market.baseAsset));
  const fillQuick = (fill: QuickFill) =>
    fill.field === 'amount' ? update({ amount: fill.value, sizeBy: 'amount' }, 'amount') : update({ total: fill.value, sizeBy: 'total' }, 'total');
  const availableAsset = draft.side === 'buy' ? market.quoteAsset : market.baseAsset;
  const availablePrecision = draft.side === 'buy' ? market.quotePrecision : market.basePrecision;

  return (
    // The terminal gives the ticket its whole column: it scrolls inside it rather than push the page.
    <Paper
      variant="outlined"
      component="section"
      aria-label="Place order"
      sx={(theme) => ({ p: 2, height: '100%', overflowY: 'auto', '& .MuiButtonBase-root.Mui-focusVisible': focusRing(theme) })}
    >
      <Typography variant="subtitle2" component="h2" sx={{ mb: 1.5 }}>
        Place order
      </Typography>
      <Box component="form" noValidate onSubmit={submit}>
        <Stack spacing={1.5}>
          <ToggleButtonGroup
            exclusive
            fullWidth
            size="small"
            value={draft.side}
            onChange={(_e, side: Side | null) => side && update({ side })}
            aria-label="Side"
          >
            <ToggleButton value="buy" color="success">
              Buy
            </ToggleButton>
            <ToggleButton value="sell" color="error">
              Sell
            </ToggleButton>
          </ToggleButtonGroup>
          <ToggleButtonGroup
            exclusive
            fullWidth
            size="small"
            value={draft.type}
            onChange={(_e, type: OrderKind | null) => type && update({ type })}
            aria-label="Order type"
          >
            <ToggleButton value="limit">Limit</ToggleButton>
            <ToggleButton value="market">Market</ToggleButton>
          </ToggleButtonGroup>
          {draft.type === 'limit' && (
            <TextField
              id="order-price"
              label="Price"
              size="small"
              value={draft.price}
              onChange={(e) => update({ price: e.target.value }, 'price')}
              onBlur={() => setTouched((t) => ({ ...t, price: true }))}
              error={errorOf('price') !== undefined}
              helperText={errorOf('price') ?? `Tick ${new Decimal(market.tickSize).toFixed()} ${market.quoteAsset}`}
              slotProps={{ htmlInput: { inputMode: 'decimal', autoComplete: 'off' }, input: { endAdornment: <InputAdornment position="end">{market.quoteAsset}</InputAdornment> } }}
            />
          )}
          <TextField
            id="order-amount"
            label="Amount"
            size="small"
            disabled={!enabled.amount}
            value={enabled.amount ? shown.amount : ''}
            onChange={(e) => update({ amount: e.target.value, sizeBy: 'amount' }, 'amount')}
            onBlur={() => setTouched((t) => ({ ...t, amount: true }))}
            error={errorOf('amount') !== undefined}
            helperText={
              errorOf('amount') ??
              (enabled.amount ? `Lot ${new Decimal(market.lotSize).toFixed()}, minimum ${new Decimal(market.minQuantity).toFixed()} ${market.baseAsset}` : 'A market buy is sized by the total it may spend.')
            }
            slotProps={{ htmlInput: { inputMode: 'decimal', autoComplete: 'off' }, input: { endAdornment: <InputAdornment position="end">{market.baseAsset}</InputAdornment> } }}
          />
          <TextField
            id="order-total"
            label="Total"
            size="small"
            disabled={!enabled.total}
            value={enabled.total ? shown.total : ''}
            onChange={(e) => update({ total: e.target.value, sizeBy: 'total' }, 'total')}
            onBlur={() => setTouched((t) => ({ ...t, total: true }))}
            error={errorOf('total') !== undefined}
            helperText={
              errorOf('total') ??
              (enabled.total ? `Minimum order value ${new Decimal(market.minNotional).toFixed()} ${market.quoteAsset}` : 'A market sell is sized by amount.')
            }
            slotProps={{ htmlInput: { inputMode: 'decimal', autoComplete: 'off' }, input: { endAdornment: <InputAdornment position="end">{market.quoteAsset}</InputAdornment> } }}
          />
          {signedIn && (
            <Typography variant="body2" color="text.secondary">
              Available: {balances.isLoading ? '…' : `${formatAmount(available?.available ?? '0', availablePrecision)} ${availableAsset}`}
            </Typography>
          )}
          {signedIn && (
            <QuickAmounts
              market={market}
              side={draft.side}
              type={draft.type}
              available={balances.data ? (available?.available ?? '0') : undefined}
              price={draft.price}
              bestAsk={bestAsk ?? null}
              onFill={fillQuick}
            />
          )}
          {tifs.length === 1 ? (
            // A market buy can only be immediate-or-cancel: nothing to choose, so it is said rather than offered.
            <Typography variant="body2" color="text.secondary" data-testid="order-tif-implied">
              {tifs[0]} — {describeTimeInForce(tifs[0]!)}
            </Typography>
          ) : (
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <TextField
                select
                id="order-tif"
                label="Time in force"
                size="small"
                value={draft.timeInForce}
                onChange={(e) => update({ timeInForce: e.target.value as TimeInForce })}
                sx={{ minWidth: 140 }}
              >
                {tifs.map((t) => (
                  <MenuItem key={t} value={t}>
                    {t === 'GTC' ? 'GTC — until cancelled' : t === 'IOC' ? 'IOC — fill now, cancel rest' : 'FOK — all now or nothing'}
                  </MenuItem>
                ))}
              </TextField>
              {/* Post only belongs to orders that may rest: limit orders, good till cancelled. */}
              {draft.type === 'limit' && (
                <FormControlLabel
                  control={<Checkbox checked={draft.postOnly && draft.timeInForce === 'GTC'} onChange={(e) => update({ postOnly: e.target.checked })} />}
                  label="Post only"
                  disabled={draft.timeInForce !== 'GTC'}
                />
              )}
            </Stack>
          )}
          {book && <FeeEstimate market={market} draft={draft} check={check} book={book} />}
          {check.hold && (
            <Typography variant="body2" color="text.secondary" data-testid="order-hold">
              Holds {formatAmount(check.hold.amount, holdPrecision)} {check.hold.asset}
              {check.hold.fee ? ' (fee included)' : ''}
            </Typography>
          )}
          <ProblemAlert problem={problem} />
          {market.status === 'halted' && <Alert severity="warning">{market.symbol} is halted: no new orders are accepted.</Alert>}
          {signedIn ? (
            <Button type="submit" variant="contained" color={draft.side === 'buy' ? 'success' : 'error'} disabled={market.status === 'halted' || placing.isLoading}>
              {draft.side === 'buy' ? 'Buy' : 'Sell'} {market.baseAsset}
            </Button>
          ) : (
            <Button component={RouterLink} to="/sign-in" state={{ from: location.pathname }} variant="outlined">
              Sign in to trade
            </Button>
          )}
        </Stack>
      </Box>
      <ConfirmDialog market={market} confirmation={confirming} busy={placing.isLoading} onCancel={() => setConfirming(null)} onConfirm={() => void confirm()} />
    </Paper>
  );
}

function ConfirmDialog({
  market,
  confirmation,
  busy,
  onCancel,
  onConfirm,
}: {
  market: Market;
  confirmation: Confirmation | null;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const check = confirmation?.check;
  const draft = confirmation?.draft;
  const tif = check?.request?.timeInForce;
  const hold = check?.hold;
  const precision = hold?.asset === market.quoteAsset ? market.quotePrecision : market.basePrecision;
  const amount = (value: Decimal | undefined) => (value ? `${formatAmount(value, precision)} ${hold?.asset ?? ''}` : '—');
  return (
    <Dialog open={confirmation !== null} onClose={busy ? undefined : onCancel} aria-labelledby="confirm-order-title" fullWidth maxWidth="xs">
      <DialogTitle id="confirm-order-title">Confirm order</DialogTitle>
      {check && draft && tif && (
        <DialogContent>
          <Typography sx={{ fontWeight: 600, mb: 1 }}>{describeOrder(check, draft, market)}</Typography>
          <Typography variant="body2" sx={{ mb: 0.5 }} data-testid="confirm-terms">
            {check.request?.type === 'limit' ? 'Limit' : 'Market'} order, {tif}
            {check.request?.postOnly ? ', post only' : ''}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }} data-testid="confirm-tif">
            {describeTimeInForce(tif)}
          </Typography>
          {hold && (
            <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 2, rowGap: 0.5, m: 0, '& dd': { m: 0, textAlign: 'right', fontVariantNumeric: 'tabular-nums' } }}>
              {hold.notional && (
                <>
                  <dt>Order value</dt>
                  <dd>{amount(hold.notional)}</dd>
                  <dt>Fee, at most ({hold.feeBps?.dividedBy(100).toFixed()}%)</dt>
                  <dd>{amount(hold.fee)}</dd>
                </>
              )}
              <Box component="dt" sx={{ fontWeight: 600 }}>
                Held now
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
        </DialogContent>
      )}
      <DialogActions>
        <Button onClick={onCancel} disabled={busy}>
          Back
        </Button>
        <Button variant="contained" onClick={onConfirm} disabled={busy} autoFocus>
          Place order
        </Button>
      </DialogActions>
    </Dialog>
  );
}
