import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useRef, useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { useForm } from '../../forms/useForm';
import { type Deposit, newIdempotencyKey, useDepositMutation } from './walletApi';
import { amountError, fallbackPrecision } from './validation';

/** Deposit through the simulated rail: confirmed at once in Development, otherwise by the back office. */
export function DepositForm({ assets, precisions }: { assets: string[]; precisions: Record<string, number> }) {
  const [deposit, { isLoading }] = useDepositMutation();
  const [done, setDone] = useState<Deposit | null>(null);
  const attempt = useRef<{ key: string; values: string } | null>(null);
  const form = useForm(
    { asset: assets[0] ?? '', amount: '' },
    {
      validate: (v) => ({
        asset: v.asset === '' ? 'Choose an asset.' : undefined,
        amount: amountError(v.amount, precisions[v.asset] ?? fallbackPrecision),
      }),
    },
  );

  const submit = form.handleSubmit(async (values) => {
    const signature = JSON.stringify([values.asset, values.amount.trim()]);
    if (attempt.current?.values !== signature) {
      attempt.current = { key: newIdempotencyKey(), values: signature };
    }
    const result = await deposit({ asset: values.asset, amount: values.amount.trim(), idempotencyKey: attempt.current.key });
    if ('error' in result) {
      form.applyError(result.error);
      return;
    }
    attempt.current = null;
    setDone(result.data);
    form.reset();
    form.setValue('asset', values.asset);
  });

  return (
    <Stack component="form" noValidate aria-label="Deposit" onSubmit={submit} spacing={2}>
      <Typography variant="h6" component="h2">
        Deposit
      </Typography>
      <TextField select label="Asset" {...form.text('asset')} id="deposit-asset">
        {assets.map((asset) => (
          <MenuItem key={asset} value={asset}>
            {asset}
          </MenuItem>
        ))}
      </TextField>
      <TextField label="Amount" {...form.text('amount')} id="deposit-amount" slotProps={{ htmlInput: { inputMode: 'decimal', autoComplete: 'off' } }} />
      <ProblemAlert problem={form.problem} />
      {done && (
        <Alert severity={done.status === 'confirmed' ? 'success' : 'info'} role="status" onClose={() => setDone(null)}>
          {done.status === 'confirmed'
            ? `Deposited ${done.amount} ${done.asset}.`
            : `Deposit of ${done.amount} ${done.asset} received; it is credited once confirmed.`}
        </Alert>
      )}
      <Button type="submit" variant="contained" disabled={isLoading || assets.length === 0}>
        Deposit
      </Button>
    </Stack>
  );
}
