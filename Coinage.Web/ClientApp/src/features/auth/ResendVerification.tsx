import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { useResendVerificationMutation } from './authApi';

/** Sends the verification email again; the API answers the same for any address. */
export function ResendVerification({ email }: { email: string }) {
  const [resend, { isLoading, isSuccess, error }] = useResendVerificationMutation();
  return (
    <Stack spacing={1} sx={{ alignItems: 'flex-start' }}>
      {isSuccess && <Alert severity="success">If the address still needs verifying, a new link is on its way.</Alert>}
      <ProblemAlert problem={error} />
      <Button variant="outlined" disabled={isLoading} onClick={() => void resend({ email })}>
        {isLoading ? 'Sending…' : 'Send the link again'}
      </Button>
    </Stack>
  );
}
