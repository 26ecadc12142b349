import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import InputAdornment from '@mui/material/InputAdornment';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type ChangeEvent, useRef, useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate } from '../../forms/QueryState';
import { codeError, useForm } from '../../forms/useForm';
import { formatAmount, parseAmount } from '../../money/money';
import { useHoldClock } from './AddressBookSection';
import { amountError, fallbackPrecision, maxWithdrawal } from './validation';
import { type Balance, isUsable, newIdempotencyKey, useGetWithdrawalAddressesQuery, useGetWithdrawalFeesQuery, useWithdrawMutation, type Withdrawal } from './walletApi';

/**
 * Withdraw: asset, amount, one of the saved addresses of the asset and — when 2FA is on — a code. An address
 * still on hold is shown but cannot be chosen. The asset's withdrawal fee is charged on top of the amount (the
 * amount is what arrives), so the form shows the fee, what the recipient gets and the total that leaves the
 * balance, and Max leaves room for the fee. The funds are held at once; the withdrawal goes out only after the
 * emailed link is followed. A failed submit keeps what was entered, and the API's field errors land on their fields.
 */
export function WithdrawForm({
  balances,
  precisions,
  twoFactorEnabled,
}: {
  balances: Balance[];
  precisions: Record<string, number>;
  twoFactorEnabled: boolean;
}) {
  const [withdraw, { isLoading }] = useWithdrawMutation();
  const fees = useGetWithdrawalFeesQuery();
  const feeOf = (asset: string) => fees.data?.[asset];
  const addresses = useGetWithdrawalAddressesQuery();
  const now = useHoldClock(addresses.data);
  const savedFor = (asset: string) => (addresses.data ?? []).filter((a) => a.asset === asset);

  function destinationError(asset: string, addressId: string): string | undefined {
    const entry = savedFor(asset).find((a) => a.id === addressId);
    if (!entry) {
      return 'Choose one of your saved addresses.';
    }
    return isUsable(entry, now) ? undefined : `On hold until ${formatDate(entry.usableFrom)}.`;
  }

  const [requested, setRequested] = useState<Withdrawal | null>(null);
  // One key per distinct request: resubmitting the same values after a lost answer cannot withdraw twice.
  const attempt = useRef<{ key: string; values: string } | null>(null);
  const available = (asset: string) => balances.find((b) => b.asset === asset)?.available;
  const precisionOf = (asset: string) => precisions[asset] ?? fallbackPrecision;
  // Until the fees have loaded, Max would leave no room for the fee: it waits.
  const max = (asset: string) => (fees.data ? maxWithdrawal(available(asset), feeOf(asset), precisionOf(asset)) : { reason: 'Loading the withdrawal fee…' });
  const form = useForm(
    { asset: balances[0]?.asset ?? '', amount: '', addressId: '', twoFactorCode: '' },
    {
      validate: (v) => ({
        asset: v.asset === '' ? 'Choose an asset.' : undefined,
        amount: amountError(v.amount, precisionOf(v.asset), available(v.asset), feeOf(v.asset)),
        addressId: destinationError(v.asset, v.addressId),
        twoFactorCode: twoFactorEnabled ? codeError(v.twoFactorCode) : undefined,
      }),
      hints: { twoFactorCode: 'From your authenticator app, or a recovery code.' },
    },
  );

  const saved = savedFor(form.values.asset);
  const most = max(form.values.asset);

  const asset = form.text('asset');
  const chooseAsset = (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    asset.onChange(event);
    // An address belongs to one asset.
    form.setValue('addressId', '');
  };

  const submit = form.handleSubmit(async (values) => {
    const signature = JSON.stringify([values.asset, values.amount.trim(), values.addressId]);
    if (attempt.current?.values !== signature) {
      attempt.current = { key: newIdempotencyKey(), values: signature };
    }
    const result = await withdraw({
      asset: values.asset,
      amount: values.amount.trim(),
      addressId: values.addressId,
      idempotencyKey: attempt.current.key,
      ...(twoFactorEnabled && { twoFactorCode: values.twoFactorCode.replace(/ /g, '') }),
    });
    if ('error' in result) {
      form.applyError(result.error);
      return;
    }
    attempt.current = null;
    setRequested(result.data);
    form.reset();
    form.setValue('asset', values.asset);
  });

  return (
    <Stack component="form" noValidate aria-label="Withdraw" onSubmit={submit} spacing={2}>
      <Typography variant="h6" component="h2">
        Withdraw
      </Typography>
      <TextField select label="Asset" {...asset} onChange={chooseAsset} id="withdraw-asset">
        {balances.map((b) => (
          <MenuItem key={b.asset} value={b.asset}>
            {b.asset} (available {b.available})
          </MenuItem>
        ))}
      </TextField>
      <TextField
        label="Amount"
        {...form.text('amount')}
        id="withdraw-amount"
        slotProps={{
          htmlInput: { inputMode: 'decimal', autoComplete: 'off' },
          input: {
            endAdornment: (
              <InputAdornment position="end">
                <Button
                  size="small"
                  onClick={() => 'amount' in most && form.setValue('amount', most.amount)}
                  disabled={!('amount' in most)}
                  aria-label="Max: withdraw the most you can"
                  aria-describedby={'reason' in most ? 'withdraw-max-reason' : undefined}
                >
                  Max
                </Button>
              </InputAdornment>
            ),
          },
        }}
      />
      <FeeLines amount={form.values.amount} asset={form.values.asset} fee={feeOf(form.values.asset)} precision={precisionOf(form.values.asset)} />
      {'reason' in most && form.values.asset !== '' && (
        <Typography variant="body2" color="text.secondary" id="withdraw-max-reason">
          {most.reason}
        </Typography>
      )}
      <TextField
        select
        label="Address"
        {...form.text('addressId')}
        id="withdraw-address"
        disabled={saved.length === 0}
        {...(saved.length === 0 && { helperText: addresses.isLoading ? 'Loading your saved addresses…' : `No saved ${form.values.asset} address yet: add one under Withdrawal addresses.` })}
        // The field is disabled, but its helper says what to do about it: readable, not in the disabled grey (axe: 2.9:1).
        slotProps={{ formHelperText: { sx: { '&.Mui-disabled': { color: 'text.secondary' } } } }}
      >
        {saved.map((a) => (
          <MenuItem key={a.id} value={a.id} disabled={!isUsable(a, now)}>
            {a.label} — {a.address}
            {!isUsable(a, now) && ` (on hold until ${formatDate(a.usableFrom)})`}
          </MenuItem>
        ))}
      </TextField>
      {twoFactorEnabled && (
        <TextField label="Two-factor code" {...form.text('twoFactorCode')} id="withdraw-code" slotProps={{ htmlInput: { inputMode: 'numeric', autoComplete: 'one-time-code' } }} />
      )}
      <ProblemAlert problem={form.problem} />
      {requested && (
        <Alert severity="info" role="status" onClose={() => setRequested(null)}>
          Withdrawal of {requested.amount} {requested.asset} requested
          {requested.fee !== '0' && ` (fee ${requested.fee} ${requested.asset}, ${requested.total} ${requested.asset} in all)`}: the funds are held. Confirm it with the link we emailed you before{' '}
          {formatDate(requested.confirmationExpiresAt)}.
        </Alert>
      )}
      <Button type="submit" variant="contained" disabled={isLoading || balances.length === 0}>
        Withdraw
      </Button>
    </Stack>
  );
}

/**
 * The fee of the asset, what the recipient gets (the amount typed) and the total deducted from the balance (amount +
 * fee), to the asset's decimals, as exchanges show them under the amount (docs/exchange.md, Funding).
 */
function FeeLines({ amount, asset, fee, precision }: { amount: string; asset: string; fee: string | undefined; precision: number }) {
  const value = parseAmount(amount);
  const charge = parseAmount(fee);
  const show = (x: Parameters<typeof formatAmount>[0]) => `${formatAmount(x, precision)} ${asset}`;
  return (
    <Typography variant="body2" color="text.secondary" component="div" aria-live="polite">
      <div>Withdrawal fee: {charge === null ? '…' : show(charge)}</div>
      <div>You will receive: {value === null ? '—' : show(value)}</div>
      <div>Total deducted: {value === null || charge === null ? '—' : show(value.plus(charge))}</div>
    </Typography>
  );
}
