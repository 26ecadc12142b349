import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Grid from '@mui/material/Grid';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate } from '../../forms/QueryState';
import { useForm } from '../../forms/useForm';
import { parseAmount } from '../../money/money';
import type { AdminMarket, MarketRisk } from './fundingAdminApi';
import { type MarketStatusAction, useSetMarketStatusMutation, useUpdateMarketRiskMutation } from './riskAdminApi';

const statusLabels: Record<AdminMarket['status'], string> = { open: 'Open', halted: 'Halted', cancel_only: 'Cancel-only' };

/** The market's status, and who set it: the circuit breaker's phases say when they end. */
export function MarketStatusChip({ market }: { market: AdminMarket }) {
  const breaker = market.statusSource === 'circuit_breaker';
  const label = `${statusLabels[market.status]}${breaker ? ' (circuit breaker)' : ''}`;
  return (
    <Stack spacing={0.5} sx={{ alignItems: 'flex-start' }}>
      <Chip size="small" color={market.status === 'open' ? 'success' : market.status === 'halted' ? 'error' : 'warning'} label={label} />
      {market.statusUntil && <span>until {formatDate(market.statusUntil)}</span>}
    </Stack>
  );
}

const confirmations: Record<MarketStatusAction, { title: (s: string) => string; text: string; button: string }> = {
  halt: { title: (s) => `Halt ${s}?`, text: 'New orders are refused (market_halted); cancels go through. It stays halted until resumed.', button: 'Halt' },
  'cancel-only': {
    title: (s) => `Set ${s} cancel-only?`,
    text: 'New orders are refused (market_cancel_only); traders can only cancel. It stays so until resumed.',
    button: 'Set cancel-only',
  },
  resume: { title: (s) => `Resume ${s}?`, text: 'Continuous trading starts again at once (this also ends a circuit breaker’s halt early).', button: 'Resume' },
};

/** The market kill switches: each one asks for confirmation first (it stops or starts trading for everyone). */
export function MarketStatusActions({ market }: { market: AdminMarket }) {
  const [setStatus, { isLoading, error, reset }] = useSetMarketStatusMutation();
  const [asking, setAsking] = useState<MarketStatusAction | null>(null);
  const actions: MarketStatusAction[] = [
    ...(market.status !== 'halted' ? (['halt'] as const) : []),
    ...(market.status !== 'cancel_only' ? (['cancel-only'] as const) : []),
    ...(market.status !== 'open' || market.statusSource === 'circuit_breaker' ? (['resume'] as const) : []),
  ];
  async function confirm() {
    if (!asking) return;
    const result = await setStatus({ symbol: market.symbol, action: asking });
    if (!('error' in result)) setAsking(null);
  }
  const asked = asking ? confirmations[asking] : null;
  return (
    <>
      <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
        {actions.map((action) => (
          <Button
            key={action}
            size="small"
            color={action === 'resume' ? 'primary' : 'warning'}
            disabled={isLoading}
            onClick={() => {
              reset();
              setAsking(action);
            }}
            aria-label={`${confirmations[action].button} ${market.symbol}`}
          >
            {confirmations[action].button}
          </Button>
        ))}
      </Stack>
      {asking && asked && (
        <Dialog open onClose={() => setAsking(null)} aria-labelledby="market-status-title">
          <DialogTitle id="market-status-title">{asked.title(market.symbol)}</DialogTitle>
          <DialogContent>
            <DialogContentText>{asked.text}</DialogContentText>
            <ProblemAlert problem={error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setAsking(null)}>Keep as is</Button>
            <Button variant="contained" color={asking === 'resume' ? 'primary' : 'warning'} disabled={isLoading} onClick={() => void confirm()}>
              {asked.button}
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </>
  );
}

type RiskValues = {
  priceBandPercent: string;
  maxOrderSize: string;
  maxOrderNotional: string;
  openOrderLimit: string;
  breakerMovePercent: string;
  breakerWindowSeconds: string;
  breakerHaltSeconds: string;
  breakerCancelOnlySeconds: string;
};

/** Empty turns a limit off; otherwise a percentage above 0 and at most 100 with at most 2 decimals. */
export function percentError(value: string): string | undefined {
  if (value.trim() === '') return undefined;
  const parsed = parseAmount(value.trim());
  return parsed === null || parsed.isZero() || parsed.gt(100) || parsed.decimalPlaces() > 2 ? 'Above 0, at most 100, 2 decimals; empty turns it off.' : undefined;
}

function amountError(value: string): string | undefined {
  if (value.trim() === '') return undefined;
  const parsed = parseAmount(value.trim());
  return parsed === null || parsed.isZero() ? 'A positive amount; empty turns it off.' : undefined;
}

function secondsError(value: string, min: number): string | undefined {
  return /^\d{1,5}$/.test(value.trim()) && Number(value) >= min && Number(value) <= 86_400 ? undefined : `${min} to 86400 seconds.`;
}

/** The form's values as the API takes them: empty is null (off). */
export function toRisk(v: RiskValues): MarketRisk {
  const text = (s: string) => (s.trim() === '' ? null : s.trim());
  return {
    priceBandPercent: text(v.priceBandPercent),
    maxOrderSize: text(v.maxOrderSize),
    maxOrderNotional: text(v.maxOrderNotional),
    openOrderLimit: v.openOrderLimit.trim() === '' ? null : Number(v.openOrderLimit.trim()),
    breakerMovePercent: text(v.breakerMovePercent),
    breakerWindowSeconds: Number(v.breakerWindowSeconds.trim()),
    breakerHaltSeconds: Number(v.breakerHaltSeconds.trim()),
    breakerCancelOnlySeconds: Number(v.breakerCancelOnlySeconds.trim()),
  };
}

/** A market's risk controls, replaced as a whole (audited, with a fresh second factor). */
export function MarketRiskButton({ market }: { market: AdminMarket }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)} aria-label={`Risk controls of ${market.symbol}`}>
        Risk controls
      </Button>
      {open && <MarketRiskDialog market={market} onClose={() => setOpen(false)} />}
    </>
  );
}

export function MarketRiskDialog({ market, onClose }: { market: AdminMarket; onClose: () => void }) {
  const [update, { isLoading }] = useUpdateMarketRiskMutation();
  const r = market.risk;
  const form = useForm<RiskValues>(
    {
      priceBandPercent: r.priceBandPercent ?? '',
      maxOrderSize: r.maxOrderSize ?? '',
      maxOrderNotional: r.maxOrderNotional ?? '',
      openOrderLimit: r.openOrderLimit?.toString() ?? '',
      breakerMovePercent: r.breakerMovePercent ?? '',
      breakerWindowSeconds: r.breakerWindowSeconds.toString(),
      breakerHaltSeconds: r.breakerHaltSeconds.toString(),
      breakerCancelOnlySeconds: r.breakerCancelOnlySeconds.toString(),
    },
    {
      validate: (v) => ({
        priceBandPercent: percentError(v.priceBandPercent),
        maxOrderSize: amountError(v.maxOrderSize),
        maxOrderNotional: amountError(v.maxOrderNotional),
        openOrderLimit: v.openOrderLimit.trim() === '' || /^\d{1,6}$/.test(v.openOrderLimit.trim()) && Number(v.openOrderLimit) >= 1 && Number(v.openOrderLimit) <= 100_000
          ? undefined
          : '1 to 100000; empty turns it off.',
        breakerMovePercent: percentError(v.breakerMovePercent),
        breakerWindowSeconds: secondsError(v.breakerWindowSeconds, 1),
        breakerHaltSeconds: secondsError(v.breakerHaltSeconds, 1),
        breakerCancelOnlySeconds: secondsError(v.breakerCancelOnlySeconds, 0),
      }),
      hints: {
        priceBandPercent: 'Limit orders beyond this distance from the last trade (or the mid) are refused.',
        breakerMovePercent: 'A move beyond this within the window halts the market.',
        breakerCancelOnlySeconds: 'After the halt, before trading; 0 reopens at once.',
      },
    },
  );
  const submit = form.handleSubmit(async (v) => {
    const result = await update({ symbol: market.symbol, risk: toRisk(v) });
    if ('error' in result) {
      form.applyError(result.error);
      return;
    }
    onClose();
  });
  const field = (name: keyof RiskValues, label: string) => (
    <Grid size={{ xs: 12, sm: 6 }}>
      <TextField fullWidth label={label} {...form.text(name)} id={`risk-${name}`} />
    </Grid>
  );
  return (
    <Dialog open onClose={onClose} aria-labelledby="risk-title" fullWidth maxWidth="md">
      <form noValidate onSubmit={submit} aria-label={`Risk controls of ${market.symbol}`}>
        <DialogTitle id="risk-title">Risk controls of {market.symbol}</DialogTitle>
        <DialogContent>
          <Grid container spacing={2} sx={{ pt: 1 }}>
            {field('priceBandPercent', 'Price band (%)')}
            {field('openOrderLimit', 'Open orders per trader')}
            {field('maxOrderSize', `Max order size (${market.baseAsset})`)}
            {field('maxOrderNotional', `Max order value (${market.quoteAsset})`)}
            {field('breakerMovePercent', 'Circuit breaker move (%)')}
            {field('breakerWindowSeconds', 'Breaker window (s)')}
            {field('breakerHaltSeconds', 'Halt (s)')}
            {field('breakerCancelOnlySeconds', 'Cancel-only (s)')}
          </Grid>
          <ProblemAlert problem={form.problem} />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={isLoading}>
            Save
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
