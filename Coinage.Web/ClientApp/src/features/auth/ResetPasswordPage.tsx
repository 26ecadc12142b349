import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { Link as RouterLink, useSearchParams } from 'react-router';
import { PasswordStrengthMeter, usePasswordEstimator } from '../../forms/PasswordStrengthMeter';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { newPasswordError } from '../../forms/passwordStrength';
import { useForm } from '../../forms/useForm';
import { AuthCard } from './AuthCard';
import { useResetPasswordMutation } from './authApi';

/** The landing page of the reset email's link: /reset-password?userId=…&token=… */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const userId = params.get('userId') ?? '';
  const token = params.get('token') ?? '';
  const [reset, { isLoading, isSuccess }] = useResetPasswordMutation();
  // Re-renders once zxcvbn has loaded, so the checks below include its judgement.
  usePasswordEstimator();
  const form = useForm(
    { newPassword: '', confirmPassword: '' },
    {
      validate: (v) => ({
        newPassword: newPasswordError(v.newPassword),
        confirmPassword: v.confirmPassword === v.newPassword ? undefined : 'The passwords do not match.',
      }),
    },
  );
  const submit = form.handleSubmit(async ({ newPassword }) => {
    const result = await reset({ userId, token, newPassword });
    if (result.error) {
      form.applyError(result.error);
    }
  });

  if (!userId || !token) {
    return (
      <AuthCard title="Choose a new password">
        <Stack spacing={2}>
          <Alert severity="warning">This link is incomplete. Open the link from the email again, or ask for a new one.</Alert>
          <Link component={RouterLink} to="/forgot-password">
            Ask for a new link
          </Link>
        </Stack>
      </AuthCard>
    );
  }

  if (isSuccess) {
    return (
      <AuthCard title="Password changed">
        <Stack spacing={2} sx={{ alignItems: 'flex-start' }}>
          <Alert severity="success">Your password is changed and every session was signed out. Sign in with the new password.</Alert>
          <Button component={RouterLink} to="/sign-in" variant="contained">
            Sign in
          </Button>
        </Stack>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Choose a new password">
      <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Choose a new password">
        <ProblemAlert
          problem={form.problem}
          action={
            <Button component={RouterLink} to="/forgot-password" color="inherit" size="small">
              New link
            </Button>
          }
        />
        <TextField {...form.text('newPassword')} label="New password" type="password" autoComplete="new-password" required fullWidth autoFocus />
        <PasswordStrengthMeter password={form.values.newPassword} />
        <TextField {...form.text('confirmPassword')} label="Repeat the new password" type="password" autoComplete="new-password" required fullWidth />
        <Button type="submit" variant="contained" size="large" disabled={isLoading}>
          {isLoading ? 'Saving…' : 'Set the new password'}
        </Button>
      </Stack>
    </AuthCard>
  );
}
