import Button from '@mui/material/Button';
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
import { decimalPlaces, formatAmount, parseAmount } from '../../money/money';
import { type AdminAsset, useListAdminAssetsQuery, useSetWithdrawalFeeMutation } from './fundingAdminApi';

/** The API's rule for a withdrawal fee: a plain decimal of zero or more, on the asset's grid. */
export function withdrawalFeeError(fee: string, precision: number): string | undefined {
  if (fee.trim() === '') return 'Enter a fee (0 for none).';
  if (parseAmount(fee) === null) return 'Digits and one decimal point only.';
  return decimalPlaces(fee) > precision ? `At most ${precision} decimals.` : undefined;
}

/**
 * Withdrawal fees (Admin): the flat fee each asset's withdrawals are charged on top of their amount. A change applies to
 * withdrawals requested from then on (each stores the fee of its request); it needs a fresh step-up and is audited.
 */
export function WithdrawalFeesTable() {
  const { data, isLoading, error, refetch } = useListAdminAssetsQuery();
  return (
    <Stack spacing={1} component="section" aria-labelledby="withdrawal-fees-heading">
      <Typography variant="h6" component="h2" id="withdrawal-fees-heading">
        Withdrawal fees
      </Typography>
      <Typography variant="body2" color="text.secondary">
        Charged on top of each withdrawal and booked to the fee account when it is sent. Withdrawals already requested keep their fee.
      </Typography>
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="assets" />
      ) : (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="Withdrawal fees">
            <TableHead>
              <TableRow>
                <TableCell>Asset</TableCell>
                <TableCell align="right">Fee now</TableCell>
                <TableCell>New fee</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.map((asset) => (
                <FeeRow key={asset.code} asset={asset} />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Stack>
  );
}

function FeeRow({ asset }: { asset: AdminAsset }) {
  const [save, { isLoading }] = useSetWithdrawalFeeMutation();
  const [saved, setSaved] = useState(false);
  const form = useForm({ withdrawalFee: asset.withdrawalFee }, { validate: (v) => ({ withdrawalFee: withdrawalFeeError(v.withdrawalFee, asset.precision) }) });
  const submit = form.handleSubmit(async (v) => {
    setSaved(false);
    const result = await save({ code: asset.code, withdrawalFee: v.withdrawalFee.trim() });
    if ('error' in result) {
      form.applyError(result.error);
      return;
    }
    setSaved(true);
  });
  return (
    <TableRow>
      <TableCell component="th" scope="row">
        {asset.code}
      </TableCell>
      <TableCell align="right">
        {formatAmount(asset.withdrawalFee, asset.precision)} {asset.code}
      </TableCell>
      <TableCell>
        <Stack component="form" noValidate aria-label={`Withdrawal fee of ${asset.code}`} onSubmit={submit} direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
          <TextField
            size="small"
            label={`${asset.code} fee`}
            {...form.text('withdrawalFee')}
            id={`withdrawal-fee-${asset.code}`}
            slotProps={{ htmlInput: { inputMode: 'decimal', autoComplete: 'off' } }}
          />
          <Button type="submit" variant="outlined" disabled={isLoading}>
            Save
          </Button>
          {saved && (
            <Typography role="status" variant="body2" sx={{ alignSelf: 'center' }}>
              Saved.
            </Typography>
          )}
        </Stack>
        <ProblemAlert problem={form.problem} />
      </TableCell>
    </TableRow>
  );
}
