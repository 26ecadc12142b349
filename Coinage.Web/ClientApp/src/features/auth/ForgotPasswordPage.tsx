import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { emailError, useForm } from '../../forms/useForm';
import { AuthCard } from './AuthCard';
import { useForgotPasswordMutation } from './authApi';

export function ForgotPasswordPage() {
  const [forgot, { isLoading, isSuccess }] = useForgotPasswordMutation();
  const form = useForm({ email: '' }, { validate: (v) => ({ email: emailError(v.email) }) });
  const submit = form.handleSubmit(async ({ email }) => {
    const result = await forgot({ email: email.trim() });
    if (result.error) {
      form.applyError(result.error);
    }
  });

  return (
    <AuthCard title="Reset your password">
      {isSuccess ? (
        <Stack spacing={2}>
          {/* The API answers the same for any address, so neither does this page tell. */}
          <Alert severity="success">
            If an account uses {form.values.email.trim()}, a reset link is on its way. It works once and expires in 24 hours.
          </Alert>
          <Link component={RouterLink} to="/sign-in">
            Back to sign in
          </Link>
        </Stack>
      ) : (
        <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Reset your password">
          <Typography color="text.secondary" sx={{ pb: 1 }}>
            Enter the email address of your account and we will send you a link to choose a new password.
          </Typography>
          <ProblemAlert problem={form.problem} />
          <TextField {...form.text('email')} label="Email" type="email" autoComplete="email" required fullWidth autoFocus />
          <Button type="submit" variant="contained" size="large" disabled={isLoading}>
            {isLoading ? 'Sending…' : 'Send the reset link'}
          </Button>
          <Link component={RouterLink} to="/sign-in" sx={{ pt: 1 }}>
            Back to sign in
          </Link>
        </Stack>
      )}
    </AuthCard>
  );
}
