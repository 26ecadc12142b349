import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormLabel from '@mui/material/FormLabel';
import InputAdornment from '@mui/material/InputAdornment';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
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
import { Decimal, formatAmount, parseAmount } from '../../money/money';
import { useToast } from '../../notifications/Toasts';
import type { Level } from '../../realtime/types';
import { selectSessionStatus } from '../auth/authSlice';
import { focusRing } from './focusRing';
import { formatPrice } from './format';
import {
  allowedTimeInForce,
  checkOrder,
  defaultTimeInForce,
  derivedSize,
  describeTimeInForce,
  type DraftErrors,
  type DraftField,
  draftTriggerDirection,
  executionOf,
  fieldOfProblem,
  hasTrigger,
  type OrderDraft,
  type OrderKind,
  type Side,
  sizeFields,
  type TicketType,
  type TimeInForce,
} from './orderMath';
import { type Confirmation, ConfirmOrderDialog } from './ticket/ConfirmOrderDialog';
import { describeOrder } from './ticket/describeOrder';
import { FeeEstimate } from './ticket/FeeEstimate';
import { MarketStatusNotice } from './ticket/MarketStatusNotice';
import { QuickAmounts } from './ticket/QuickAmounts';
import type { QuickFill } from './ticket/ticketMath';
import { type Market, useGetTradingBalancesQuery, usePlaceOcoMutation, usePlaceOrderMutation } from './tradingApi';

const initialDraft: OrderDraft = {
  side: 'buy',
  type: 'limit',
  execution: 'limit',
  price: '',
  triggerPrice: '',
  stopPrice: '',
  amount: '',
  total: '',
  sizeBy: 'amount',
  timeInForce: 'GTC',
  postOnly: false,
};

/** The type selector's choices, in the order Coinbase Advanced and Kraken Pro list them. */
const ticketTypes: { value: TicketType; label: string }[] = [
  { value: 'limit', label: 'Limit' },
  { value: 'market', label: 'Market' },
  { value: 'stop', label: 'Stop' },
  { value: 'take_profit', label: 'Take profit' },
  { value: 'oco', label: 'OCO' },
];

/** The time in force choices of the draft: an OCO's limit order always rests (GTC). */
function timeInForceChoices(draft: Pick<OrderDraft, 'type' | 'execution' | 'side'>): TimeInForce[] {
  return draft.type === 'oco' ? ['GTC'] : allowedTimeInForce(executionOf(draft), draft.side);
}

/** 128 random bits as hex: works on plain-HTTP hosts too, where `crypto.randomUUID` is missing. */
function newClientOrderId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Where a picked book price lands: `nonce` makes picking the same price twice count. */
export interface PickedPrice {
  price: string;
  nonce: number;
}

/**
 * Order entry: limit, market, stop and take-profit (each firing a limit or a market order) and OCO pairs. Validates on
 * the market's grid, minimums, the best ask (a market buy must buy at least one lot), the last price (a trigger already
 * reached is refused by the exchange) and the user's balance as they type, shows what the order will hold, confirms,
 * then places exactly what was confirmed, with a client order id that a retry of the same order reuses (so a lost
 * answer never places it twice). A refusal lands on its field; nothing typed is lost. A halted or cancel-only market
 * closes the ticket, live as the hub reports the change.
 */
export function OrderForm({
  market,
  picked,
  bestAsk,
  lastPrice,
  book,
}: {
  market: Market;
  picked: PickedPrice | null;
  bestAsk?: string | null;
  /** The last trade price, which fires triggers: null before the market's first trade. */
  lastPrice?: string | null;
  /** The live book, for the fee estimate (maker or taker) and what a market order would get. */
  book?: { bids: readonly Level[]; asks: readonly Level[] };
}) {
  const signedIn = useAppSelector(selectSessionStatus) === 'signedIn';
  const location = useLocation();
  const balances = useGetTradingBalancesQuery(undefined, { skip: !signedIn });
  const [placeOrder, placing] = usePlaceOrderMutation();
  const [placeOco, placingOco] = usePlaceOcoMutation();
  const busy = placing.isLoading || placingOco.isLoading;
  const notify = useToast();
  const [draft, setDraft] = useState<OrderDraft>(initialDraft);
  const [touched, setTouched] = useState<Partial<Record<DraftField, boolean>>>({});
  const [serverErrors, setServerErrors] = useState<DraftErrors>({});
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [confirming, setConfirming] = useState<Confirmation | null>(null);
  // The id of the last submission that got no definite answer: sending the same order again reuses it.
  const pending = useRef<{ key: string; id: string } | null>(null);
  // Halted and cancel-only both refuse new orders (cancels and amends that reduce go on in the orders panel).
  const closed = market.status !== 'open';

  useEffect(() => {
    if (picked) {
      // A price picked in the book is a limit price: it goes into a limit-priced order as it is, or makes a limit order.
      setDraft((d) =>
        executionOf(d) === 'limit'
          ? { ...d, price: picked.price }
          : { ...d, type: 'limit', execution: 'limit', price: picked.price, timeInForce: defaultTimeInForce('limit'), postOnly: false },
      );
      setServerErrors((e) => ({ ...e, price: undefined }));
    }
  }, [picked]);

  const check = checkOrder(draft, market, signedIn ? balances.data : undefined, bestAsk, lastPrice);
  const execution = executionOf(draft);
  const triggered = hasTrigger(draft);
  const direction = draftTriggerDirection(draft);
  const shown = derivedSize(draft, market);
  const enabled = sizeFields(draft);
  const tifs = timeInForceChoices(draft);
  const holdPrecision = check.hold?.asset === market.quoteAsset ? market.quotePrecision : market.basePrecision;
  const tick = `Tick ${new Decimal(market.tickSize).toFixed()} ${market.quoteAsset}`;
  const last = lastPrice ? `, last ${formatPrice(lastPrice, market)} ${market.quoteAsset}` : '';

  function update(patch: Partial<OrderDraft>, field?: DraftField) {
    setDraft((d) => {
      const next = { ...d, ...patch };
      // A time in force (and post-only) belongs to the order it was chosen for: a new type starts from its default.
      if (next.type !== d.type || next.execution !== d.execution) {
        next.timeInForce = defaultTimeInForce(executionOf(next));
        next.postOnly = false;
      }
      // Switching side may leave a time in force the API refuses for the new combination.
      const allowed = timeInForceChoices(next);
      if (!allowed.includes(next.timeInForce)) next.timeInForce = allowed[0]!;
      const nextExecution = executionOf(next);
      if (nextExecution === 'market' && next.side === 'buy') next.sizeBy = 'total';
      if (nextExecution === 'market' && next.side === 'sell') next.sizeBy = 'amount';
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
    if (closed) return;
    setTouched({ price: true, triggerPrice: true, stopPrice: true, amount: true, total: true });
    setProblem(null);
    if (check.request || check.oco) setConfirming({ check, draft });
  }

  async function confirm() {
    // Exactly what the dialog shows: the request frozen when the trader pressed Buy/Sell, never the live form.
    const confirmed = confirming?.check.oco ?? confirming?.check.request;
    if (!confirming || !confirmed) return;
    const key = JSON.stringify(confirmed);
    if (pending.current?.key !== key) pending.current = { key, id: newClientOrderId() };
    const clientOrderId = pending.current.id;
    const summary = describeOrder(confirming.check, confirming.draft, market);
    try {
      const { oco, request } = confirming.check;
      if (oco) await placeOco({ ...oco, clientOrderId }).unwrap();
      else if (request) await placeOrder({ ...request, clientOrderId }).unwrap();
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
      const field = fieldOfProblem(apiError?.code, confirming.draft, apiError?.errors);
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
  // The price quick amounts size a buy at: what it would hold. An OCO buy holds its dearer leg; a stop or take-profit
  // market buy is sized at its trigger, where it fires.
  const ocoStop = draft.type === 'oco' ? parseAmount(draft.stopPrice) : null;
  const ocoPrice = parseAmount(draft.price);
  const quickPrice = ocoStop && ocoPrice && ocoStop.greaterThan(ocoPrice) ? draft.stopPrice : draft.price;
  const quote = <InputAdornment position="end">{market.quoteAsset}</InputAdornment>;
  const decimalInput = { inputMode: 'decimal', autoComplete: 'off' } as const;

  return (
    // The terminal gives the ticket its whole column: it scrolls inside it rather than push the page.
    <Paper
      variant="outlined"
      component="section"
      aria-label="Place order"
      sx={(theme) => ({
        p: 2,
        height: '100%',
        overflowY: 'auto',
        '& .MuiButtonBase-root.Mui-focusVisible': focusRing(theme),
        // Under a disabled field the helper says why it is disabled (a market buy's amount, a halted market): it must
        // stay readable, not take the disabled grey (axe: color-contrast).
        '& .MuiFormHelperText-root.Mui-disabled': { color: theme.palette.text.secondary },
      })}
    >
      <Typography variant="subtitle2" component="h2" sx={{ mb: 1.5 }}>
        Place order
      </Typography>
      <Box component="form" noValidate onSubmit={submit}>
        <Stack spacing={1.5}>
          <MarketStatusNotice market={market} />
          <ToggleButtonGroup
            exclusive
            fullWidth
            size="small"
            value={draft.side}
            onChange={(_e, side: Side | null) => side && update({ side })}
            aria-label="Side"
            disabled={closed}
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
            onChange={(_e, type: TicketType | null) => type && update({ type })}
            aria-label="Order type"
            disabled={closed}
            sx={{ '& .MuiToggleButton-root': { px: 0.5, lineHeight: 1.2, fontSize: '0.75rem' } }}
          >
            {ticketTypes.map((t) => (
              <ToggleButton key={t.value} value={t.value}>
                {t.label}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
          {(draft.type === 'stop' || draft.type === 'take_profit') && (
            <FormControl disabled={closed}>
              <FormLabel id="order-execution-label" sx={{ typography: 'body2' }}>
                When triggered, place
              </FormLabel>
              <RadioGroup
                row
                aria-labelledby="order-execution-label"
                value={draft.execution}
                onChange={(e) => update({ execution: e.target.value as OrderKind })}
              >
                <FormControlLabel value="limit" control={<Radio size="small" />} label="a limit order" />
                <FormControlLabel value="market" control={<Radio size="small" />} label="a market order" />
              </RadioGroup>
            </FormControl>
          )}
          {triggered && (
            <TextField
              id="order-trigger"
              label={draft.type === 'oco' ? 'Stop trigger price' : 'Trigger price'}
              size="small"
              disabled={closed}
              value={draft.triggerPrice}
              onChange={(e) => update({ triggerPrice: e.target.value }, 'triggerPrice')}
              onBlur={() => setTouched((t) => ({ ...t, triggerPrice: true }))}
              error={errorOf('triggerPrice') !== undefined}
              helperText={errorOf('triggerPrice') ?? `Fires when the last price ${direction} it. ${tick}${last}`}
              slotProps={{ htmlInput: decimalInput, input: { endAdornment: quote } }}
            />
          )}
          {execution === 'limit' && (
            <TextField
              id="order-price"
              label={draft.type === 'limit' ? 'Price' : 'Limit price'}
              size="small"
              disabled={closed}
              value={draft.price}
              onChange={(e) => update({ price: e.target.value }, 'price')}
              onBlur={() => setTouched((t) => ({ ...t, price: true }))}
              error={errorOf('price') !== undefined}
              helperText={
                errorOf('price') ??
                (draft.type === 'oco'
                  ? `The order that rests, ${draft.side === 'buy' ? 'below' : 'above'} the last price. ${tick}${last}`
                  : draft.type === 'limit'
                    ? tick
                    : `The limit order placed when it fires. ${tick}`)
              }
              slotProps={{ htmlInput: decimalInput, input: { endAdornment: quote } }}
            />
          )}
          {draft.type === 'oco' && (
            <TextField
              id="order-stop-price"
              label={draft.side === 'buy' ? 'Stop limit price' : 'Stop limit price (optional)'}
              size="small"
              disabled={closed}
              value={draft.stopPrice}
              onChange={(e) => update({ stopPrice: e.target.value }, 'stopPrice')}
              onBlur={() => setTouched((t) => ({ ...t, stopPrice: true }))}
              error={errorOf('stopPrice') !== undefined}
              helperText={
                errorOf('stopPrice') ??
                (draft.side === 'buy' ? `The limit order the stop places. ${tick}` : `The limit order the stop places; blank: a market order. ${tick}`)
              }
              slotProps={{ htmlInput: decimalInput, input: { endAdornment: quote } }}
            />
          )}
          <TextField
            id="order-amount"
            label="Amount"
            size="small"
            disabled={closed || !enabled.amount}
            value={enabled.amount ? shown.amount : ''}
            onChange={(e) => update({ amount: e.target.value, sizeBy: 'amount' }, 'amount')}
            onBlur={() => setTouched((t) => ({ ...t, amount: true }))}
            error={errorOf('amount') !== undefined}
            helperText={
              errorOf('amount') ??
              (enabled.amount
                ? `Lot ${new Decimal(market.lotSize).toFixed()}, minimum ${new Decimal(market.minQuantity).toFixed()} ${market.baseAsset}`
                : 'A market buy is sized by the total it may spend.')
            }
            slotProps={{ htmlInput: decimalInput, input: { endAdornment: <InputAdornment position="end">{market.baseAsset}</InputAdornment> } }}
          />
          <TextField
            id="order-total"
            label="Total"
            size="small"
            disabled={closed || !enabled.total}
            value={enabled.total ? shown.total : ''}
            onChange={(e) => update({ total: e.target.value, sizeBy: 'total' }, 'total')}
            onBlur={() => setTouched((t) => ({ ...t, total: true }))}
            error={errorOf('total') !== undefined}
            helperText={
              errorOf('total') ?? (enabled.total ? `Minimum order value ${new Decimal(market.minNotional).toFixed()} ${market.quoteAsset}` : 'A market sell is sized by amount.')
            }
            slotProps={{ htmlInput: decimalInput, input: { endAdornment: quote } }}
          />
          {signedIn && (
            <Typography variant="body2" color="text.secondary">
              Available: {balances.isLoading ? '…' : `${formatAmount(available?.available ?? '0', availablePrecision)} ${availableAsset}`}
            </Typography>
          )}
          {signedIn && !closed && (
            <QuickAmounts
              market={market}
              side={draft.side}
              type={execution}
              available={balances.data ? (available?.available ?? '0') : undefined}
              price={quickPrice}
              bestAsk={triggered ? (parseAmount(draft.triggerPrice)?.toFixed() ?? null) : (bestAsk ?? null)}
              {...(triggered && { noMarketPrice: 'Enter a trigger price first.' })}
              onFill={fillQuick}
            />
          )}
          {tifs.length === 1 ? (
            // A market buy can only be immediate-or-cancel, an OCO's limit order only rests: nothing to choose, so it is said.
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
                disabled={closed}
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
              {/* Post only belongs to orders that may rest as placed: limit orders, good till cancelled (never a stop). */}
              {draft.type === 'limit' && (
                <FormControlLabel
                  control={<Checkbox checked={draft.postOnly && draft.timeInForce === 'GTC'} onChange={(e) => update({ postOnly: e.target.checked })} />}
                  label="Post only"
                  disabled={closed || draft.timeInForce !== 'GTC'}
                />
              )}
            </Stack>
          )}
          {book && <FeeEstimate market={market} draft={draft} check={check} book={book} />}
          {check.hold && (
            <Typography variant="body2" color="text.secondary" data-testid="order-hold">
              Holds {formatAmount(check.hold.amount, holdPrecision)} {check.hold.asset}
              {check.hold.fee ? ' (fee included)' : ''}
              {draft.type === 'oco' ? ', once for both orders' : ''}
            </Typography>
          )}
          <ProblemAlert problem={problem} />
          {signedIn ? (
            <Button type="submit" variant="contained" color={draft.side === 'buy' ? 'success' : 'error'} disabled={closed || busy}>
              {draft.side === 'buy' ? 'Buy' : 'Sell'} {market.baseAsset}
            </Button>
          ) : (
            <Button component={RouterLink} to="/sign-in" state={{ from: location.pathname }} variant="outlined">
              Sign in to trade
            </Button>
          )}
        </Stack>
      </Box>
      <ConfirmOrderDialog
        market={market}
        confirmation={confirming}
        busy={busy}
        closed={closed}
        onCancel={() => setConfirming(null)}
        onConfirm={() => void confirm()}
      />
    </Paper>
  );
}
