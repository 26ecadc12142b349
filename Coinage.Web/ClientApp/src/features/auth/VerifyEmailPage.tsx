import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useRef } from 'react';
import { Link as RouterLink, useSearchParams } from 'react-router';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { emailError, useForm } from '../../forms/useForm';
import { AuthCard } from './AuthCard';
import { useResendVerificationMutation, useVerifyEmailMutation } from './authApi';

/** The landing page of the verification email's link: /verify-email?userId=…&token=… */
export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const userId = params.get('userId') ?? '';
  const token = params.get('token') ?? '';
  const [verify, { isUninitialized, isLoading, isSuccess, error }] = useVerifyEmailMutation();
  const sent = useRef(false);

  useEffect(() => {
    // The token works once: never send it twice (StrictMode runs effects twice in development).
    if (!sent.current && userId && token) {
      sent.current = true;
      void verify({ userId, token });
    }
  }, [verify, userId, token]);

  if (!userId || !token) {
    return (
      <AuthCard title="Verify your email">
        <Stack spacing={2}>
          <Alert severity="warning">This link is incomplete. Open the link from the email again, or ask for a new one.</Alert>
          <ResendForm />
        </Stack>
      </AuthCard>
    );
  }

  if (isUninitialized || isLoading) {
    return (
      <AuthCard title="Verify your email">
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
          <CircularProgress size={28} aria-label="Verifying your email" />
          <Typography color="text.secondary">Verifying your email address…</Typography>
        </Box>
      </AuthCard>
    );
  }

  if (isSuccess) {
    return (
      <AuthCard title="Email verified">
        <Stack spacing={2} sx={{ alignItems: 'flex-start' }}>
          <Alert severity="success">Your email address is verified. You can now use every feature of Coinage.</Alert>
          <Button component={RouterLink} to="/account" variant="contained">
            Continue
          </Button>
        </Stack>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Verify your email">
      <Stack spacing={2}>
        <ProblemAlert problem={error} />
        <ResendForm />
      </Stack>
    </AuthCard>
  );
}

function ResendForm() {
  const [resend, { isLoading, isSuccess }] = useResendVerificationMutation();
  const form = useForm({ email: '' }, { validate: (v) => ({ email: emailError(v.email) }) });
  const submit = form.handleSubmit(async ({ email }) => {
    const result = await resend({ email: email.trim() });
    if (result.error) {
      form.applyError(result.error);
    }
  });
  return (
    <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Send a new verification link">
      {isSuccess && <Alert severity="success">If the address still needs verifying, a new link is on its way.</Alert>}
      <ProblemAlert problem={form.problem} />
      <TextField {...form.text('email')} label="Email" type="email" autoComplete="email" required fullWidth />
      <Button type="submit" variant="outlined" disabled={isLoading}>
        {isLoading ? 'Sending…' : 'Send a new link'}
      </Button>
    </Stack>
  );
}
