import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useEffect, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { useConfirmWithdrawalMutation, withdrawalStatusLabels } from './walletApi';

/** The landing page of the emailed link (/wallet/withdrawals/confirm?token=…): confirms once, says what happens next. */
export function ConfirmWithdrawalPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [confirm, { data, error, isUninitialized, isLoading }] = useConfirmWithdrawalMutation();
  // The token works once: StrictMode's second effect run must not spend a second request on it.
  const sent = useRef(false);
  useEffect(() => {
    if (token !== '' && !sent.current) {
      sent.current = true;
      void confirm(token);
    }
  }, [token, confirm]);

  return (
    <Stack spacing={2} sx={{ maxWidth: 560 }}>
      <Typography variant="h4" component="h1">
        Confirm withdrawal
      </Typography>
      {token === '' && <Alert severity="error">This link has no confirmation token. Open the link from the email again.</Alert>}
      {(isLoading || (isUninitialized && token !== '')) && (
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
          <CircularProgress size={24} aria-label="Confirming" />
          <Typography>Confirming your withdrawal…</Typography>
        </Stack>
      )}
      {data && (
        <Alert severity="success" role="status">
          Withdrawal of {data.amount} {data.asset} confirmed. Status: {withdrawalStatusLabels[data.status]}.
          {data.status === 'pending_approval' ? ' Large withdrawals are reviewed by our team before they are sent.' : ' It is sent shortly.'}
        </Alert>
      )}
      <ProblemAlert problem={error} />
      <Button component={Link} to="/wallet" variant="outlined" sx={{ alignSelf: 'flex-start' }}>
        Back to the wallet
      </Button>
    </Stack>
  );
}
