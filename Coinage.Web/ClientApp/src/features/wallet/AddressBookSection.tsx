import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import MenuItem from '@mui/material/MenuItem';
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
import { useEffect, useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { useForm } from '../../forms/useForm';
import { addressError, labelError } from './validation';
import {
  isUsable,
  useAddWithdrawalAddressMutation,
  useGetWithdrawalAddressesQuery,
  useRemoveWithdrawalAddressMutation,
  type WithdrawalAddress,
} from './walletApi';

/**
 * The current time, renewed when the next hold among `addresses` ends, so an address becomes selectable
 * without a reload.
 */
export function useHoldClock(addresses: readonly WithdrawalAddress[] | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  const next = Math.min(...(addresses ?? []).map((a) => Date.parse(a.usableFrom)).filter((t) => t > now));
  useEffect(() => {
    if (!Number.isFinite(next)) {
      return undefined;
    }
    // setTimeout takes at most 2^31-1 ms (about 24.8 days); a longer hold is looked at again then.
    const timer = setTimeout(() => setNow(Date.now()), Math.min(next - Date.now() + 250, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [next]);
  return now;
}

/**
 * The withdrawal address book: add (label, asset, address), list with the hold of new ones, remove. A new
 * address can be used only once its hold is over; the API emails the owner when one is added.
 */
export function AddressBookSection({ assets }: { assets: string[] }) {
  const { data, isLoading, error, refetch } = useGetWithdrawalAddressesQuery();
  const [remove, removing] = useRemoveWithdrawalAddressMutation();
  const now = useHoldClock(data);
  return (
    <Stack spacing={1} component="section" aria-labelledby="withdrawal-addresses" id="withdrawal-addresses-section">
      <Typography variant="h6" component="h2" id="withdrawal-addresses">
        Withdrawal addresses
      </Typography>
      <Typography color="text.secondary" variant="body2">
        Withdrawals go only to addresses saved here. For your safety a newly added address is on hold for a while (24 hours unless your
        platform says otherwise) before it can be used, and we email you whenever one is added.
      </Typography>
      <Paper variant="outlined" sx={{ p: 2 }}>
        <AddAddressForm assets={assets} />
      </Paper>
      <ProblemAlert problem={removing.error} />
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="your withdrawal addresses" />
      ) : data.length === 0 ? (
        <Typography color="text.secondary">No saved addresses yet.</Typography>
      ) : (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="Withdrawal addresses">
            <TableHead>
              <TableRow>
                <TableCell>Label</TableCell>
                <TableCell>Asset</TableCell>
                <TableCell>Address</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.map((a) => (
                <TableRow key={a.id}>
                  <TableCell component="th" scope="row">
                    {a.label}
                  </TableCell>
                  <TableCell>{a.asset}</TableCell>
                  <TableCell sx={{ wordBreak: 'break-all' }}>{a.address}</TableCell>
                  <TableCell>
                    {isUsable(a, now) ? (
                      <Chip size="small" color="success" label="Usable" />
                    ) : (
                      <Chip size="small" color="warning" label={`Usable from ${formatDate(a.usableFrom)}`} />
                    )}
                  </TableCell>
                  <TableCell>
                    <Button size="small" disabled={removing.isLoading} onClick={() => void remove(a.id)} aria-label={`Remove address ${a.label}`}>
                      Remove
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Stack>
  );
}

function AddAddressForm({ assets }: { assets: string[] }) {
  const [add, { isLoading }] = useAddWithdrawalAddressMutation();
  const [added, setAdded] = useState<WithdrawalAddress | null>(null);
  const form = useForm(
    { asset: assets[0] ?? '', label: '', address: '' },
    {
      validate: (v) => ({
        asset: v.asset === '' ? 'Choose an asset.' : undefined,
        label: labelError(v.label),
        address: addressError(v.asset, v.address),
      }),
      hints: { label: 'A name you will recognise, e.g. "Hardware wallet".' },
    },
  );

  const submit = form.handleSubmit(async (values) => {
    const result = await add({ asset: values.asset, label: values.label.trim(), address: values.address.trim() });
    if ('error' in result) {
      form.applyError(result.error);
      return;
    }
    setAdded(result.data);
    form.reset();
    form.setValue('asset', values.asset);
  });

  return (
    <Stack component="form" noValidate aria-label="Add withdrawal address" onSubmit={submit} spacing={2}>
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
        <TextField select label="Asset" {...form.text('asset')} id="address-asset" sx={{ minWidth: 120 }}>
          {assets.map((asset) => (
            <MenuItem key={asset} value={asset}>
              {asset}
            </MenuItem>
          ))}
        </TextField>
        <TextField label="Label" {...form.text('label')} id="address-label" slotProps={{ htmlInput: { maxLength: 64, autoComplete: 'off' } }} />
        <TextField label="Address" {...form.text('address')} id="address-address" fullWidth slotProps={{ htmlInput: { autoComplete: 'off', spellCheck: false } }} />
      </Stack>
      <ProblemAlert problem={form.problem} />
      {added && (
        <Alert severity="info" role="status" onClose={() => setAdded(null)}>
          {isUsable(added)
            ? `"${added.label}" saved: you can withdraw to it now.`
            : `"${added.label}" saved. For your safety it can be used from ${formatDate(added.usableFrom)}; we emailed you about it.`}
        </Alert>
      )}
      <Button type="submit" variant="outlined" disabled={isLoading || assets.length === 0} sx={{ alignSelf: 'flex-start' }}>
        Save address
      </Button>
    </Stack>
  );
}
