import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Grid from '@mui/material/Grid';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { QueryState } from '../../forms/QueryState';
import { useForm } from '../../forms/useForm';
import { compareAmounts, parseAmount } from '../../money/money';
import { type AdminMarket, useCreateAssetMutation, useCreateMarketMutation, useListAdminMarketsQuery } from './fundingAdminApi';
import { MarketRiskButton, MarketStatusActions, MarketStatusChip } from './MarketRiskControls';
import { withdrawalFeeError, WithdrawalFeesTable } from './WithdrawalFeesTable';

/** Markets (Admin): every market with its rules and status, the kill switches and risk controls, the assets' withdrawal fees, and forms to add an asset and a market. */
export function MarketsAdminPage() {
  const { data, isLoading, error, refetch } = useListAdminMarketsQuery();
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        Manage markets
      </Typography>
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="markets" />
      ) : (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="All markets">
            <TableHead>
              <TableRow>
                <TableCell>Symbol</TableCell>
                <TableCell align="right">Tick</TableCell>
                <TableCell align="right">Lot</TableCell>
                <TableCell align="right">Min quantity</TableCell>
                <TableCell align="right">Min notional</TableCell>
                <TableCell align="right">Fees (maker/taker bps)</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.map((market) => (
                <MarketRow key={market.symbol} market={market} />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      <Grid container spacing={3}>
        <Grid size={{ xs: 12, md: 8 }}>
          <Paper variant="outlined" sx={{ p: 2 }}>
            <AddMarketForm />
          </Paper>
        </Grid>
        <Grid size={{ xs: 12, md: 4 }}>
          <Paper variant="outlined" sx={{ p: 2 }}>
            <AddAssetForm />
          </Paper>
        </Grid>
      </Grid>
      <WithdrawalFeesTable />
    </Stack>
  );
}

function MarketRow({ market }: { market: AdminMarket }) {
  return (
    <TableRow>
      <TableCell component="th" scope="row">
        {market.symbol}
      </TableCell>
      <TableCell align="right">{market.tickSize}</TableCell>
      <TableCell align="right">{market.lotSize}</TableCell>
      <TableCell align="right">{market.minQuantity}</TableCell>
      <TableCell align="right">{market.minNotional}</TableCell>
      <TableCell align="right">
        {market.makerFeeBps} / {market.takerFeeBps}
      </TableCell>
      <TableCell>
        <MarketStatusChip market={market} />
      </TableCell>
      <TableCell>
        <MarketStatusActions market={market} />
        <MarketRiskButton market={market} />
      </TableCell>
    </TableRow>
  );
}

function positive(value: string): string | undefined {
  const parsed = parseAmount(value);
  return parsed === null || parsed.isZero() ? 'A positive decimal, e.g. 0.01.' : undefined;
}

function bps(value: string): string | undefined {
  const parsed = parseAmount(value);
  return parsed === null || compareAmounts(parsed.toFixed(), '10000') > 0 || parsed.decimalPlaces() > 4 ? '0 to 10000, at most 4 decimals.' : undefined;
}

function AddMarketForm() {
  const [create, { isLoading }] = useCreateMarketMutation();
  const [created, setCreated] = useState<string | null>(null);
  const form = useForm(
    { baseAsset: '', quoteAsset: '', tickSize: '', lotSize: '', minQuantity: '', minNotional: '', makerFeeBps: '10', takerFeeBps: '20' },
    {
      validate: (v) => ({
        baseAsset: /^[A-Za-z][A-Za-z0-9]{1,11}$/.test(v.baseAsset.trim()) ? undefined : 'An asset code, e.g. BTC.',
        quoteAsset: !/^[A-Za-z][A-Za-z0-9]{1,11}$/.test(v.quoteAsset.trim())
          ? 'An asset code, e.g. USD.'
          : v.quoteAsset.trim().toUpperCase() === v.baseAsset.trim().toUpperCase()
            ? 'A market trades two different assets.'
            : undefined,
        tickSize: positive(v.tickSize),
        lotSize: positive(v.lotSize),
        minQuantity: positive(v.minQuantity),
        minNotional: positive(v.minNotional),
        makerFeeBps: bps(v.makerFeeBps),
        takerFeeBps: bps(v.takerFeeBps),
      }),
      hints: { lotSize: 'Lot ≥ the base asset’s smallest unit; tick × lot ≥ the quote asset’s.' },
    },
  );
  const submit = form.handleSubmit(async (v) => {
    const result = await create({
      baseAsset: v.baseAsset.trim().toUpperCase(),
      quoteAsset: v.quoteAsset.trim().toUpperCase(),
      tickSize: v.tickSize.trim(),
      lotSize: v.lotSize.trim(),
      minQuantity: v.minQuantity.trim(),
      minNotional: v.minNotional.trim(),
      makerFeeBps: v.makerFeeBps.trim(),
      takerFeeBps: v.takerFeeBps.trim(),
    });
    if ('error' in result) {
      form.applyError(result.error);
      return;
    }
    setCreated(result.data.symbol);
    form.reset();
  });
  const field = (name: Parameters<typeof form.text>[0], label: string) => (
    <Grid size={{ xs: 12, sm: 6 }}>
      <TextField fullWidth label={label} {...form.text(name)} id={`market-${name}`} />
    </Grid>
  );
  return (
    <Stack component="form" noValidate aria-label="Add market" onSubmit={submit} spacing={2}>
      <Typography variant="h6" component="h2">
        Add market
      </Typography>
      <Grid container spacing={2}>
        {field('baseAsset', 'Base asset')}
        {field('quoteAsset', 'Quote asset')}
        {field('tickSize', 'Tick size')}
        {field('lotSize', 'Lot size')}
        {field('minQuantity', 'Min quantity')}
        {field('minNotional', 'Min notional')}
        {field('makerFeeBps', 'Maker fee (bps)')}
        {field('takerFeeBps', 'Taker fee (bps)')}
      </Grid>
      <ProblemAlert problem={form.problem} />
      {created && (
        <Alert severity="success" role="status" onClose={() => setCreated(null)}>
          {created} is open for trading.
        </Alert>
      )}
      <Button type="submit" variant="contained" disabled={isLoading} sx={{ alignSelf: 'flex-start' }}>
        Add market
      </Button>
    </Stack>
  );
}

function AddAssetForm() {
  const [create, { isLoading }] = useCreateAssetMutation();
  const [created, setCreated] = useState<string | null>(null);
  const form = useForm(
    { code: '', precision: '8', withdrawalFee: '0' },
    {
      validate: (v) => ({
        code: /^[A-Za-z][A-Za-z0-9]{1,11}$/.test(v.code.trim()) ? undefined : '2 to 12 letters or digits, starting with a letter.',
        precision: /^\d{1,2}$/.test(v.precision.trim()) && Number(v.precision) <= 18 ? undefined : '0 to 18.',
        withdrawalFee: withdrawalFeeError(v.withdrawalFee, Number(v.precision) || 0),
      }),
    },
  );
  const submit = form.handleSubmit(async (v) => {
    const result = await create({ code: v.code.trim().toUpperCase(), precision: Number(v.precision.trim()), withdrawalFee: v.withdrawalFee.trim() });
    if ('error' in result) {
      form.applyError(result.error);
      return;
    }
    setCreated(result.data.code);
    form.reset();
  });
  return (
    <Stack component="form" noValidate aria-label="Add asset" onSubmit={submit} spacing={2}>
      <Typography variant="h6" component="h2">
        Add asset
      </Typography>
      <TextField label="Code" {...form.text('code')} id="asset-code" />
      <TextField label="Decimals" {...form.text('precision')} id="asset-precision" slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
      <TextField label="Withdrawal fee" {...form.text('withdrawalFee')} id="asset-withdrawal-fee" slotProps={{ htmlInput: { inputMode: 'decimal', autoComplete: 'off' } }} />
      <ProblemAlert problem={form.problem} />
      {created && (
        <Alert severity="success" role="status" onClose={() => setCreated(null)}>
          {created} added.
        </Alert>
      )}
      <Button type="submit" variant="contained" disabled={isLoading} sx={{ alignSelf: 'flex-start' }}>
        Add asset
      </Button>
    </Stack>
  );
}
