import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useSession } from '../../app/hooks';
import { ApiKeysSection } from './ApiKeysSection';
import { PasskeysSection } from './PasskeysSection';
import { RecoveryCodesList } from './RecoveryCodesList';
import { PasswordStrengthMeter, usePasswordEstimator } from '../../forms/PasswordStrengthMeter';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { newPasswordError } from '../../forms/passwordStrength';
import { QueryState } from '../../forms/QueryState';
import { codeError, requiredError, useForm } from '../../forms/useForm';
import {
  type Profile,
  type TwoFactorSetup,
  useChangePasswordMutation,
  useDisableTwoFactorMutation,
  useEnableTwoFactorMutation,
  useGetProfileQuery,
  useRegenerateRecoveryCodesMutation,
  useSetupTwoFactorMutation,
} from './accountApi';

export function SecuritySection() {
  const { data, isLoading, error, refetch } = useGetProfileQuery();
  return (
    <Stack spacing={3}>
      <ChangePassword email={data?.email} />
      {data ? <TwoFactor profile={data} /> : <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="your security settings" />}
      <PasskeysSection />
      <ApiKeysSection />
    </Stack>
  );
}

/** `onChanged` runs after a successful change (the required first change refreshes the session with it). */
export function ChangePassword({ email, onChanged }: { email: string | undefined; onChanged?: () => void }) {
  const [change, { isLoading }] = useChangePasswordMutation();
  // Re-renders once zxcvbn has loaded, so the checks below include its judgement.
  usePasswordEstimator();
  const [done, setDone] = useState(false);
  const form = useForm(
    { currentPassword: '', newPassword: '', confirmPassword: '' },
    {
      validate: (v) => ({
        currentPassword: requiredError(v.currentPassword, 'Enter your current password.'),
        newPassword: newPasswordError(v.newPassword, email) ?? (v.newPassword === v.currentPassword ? 'Choose a password you have not been using.' : undefined),
        confirmPassword: v.confirmPassword === v.newPassword ? undefined : 'The passwords do not match.',
      }),
    },
  );
  const submit = form.handleSubmit(async ({ currentPassword, newPassword }) => {
    setDone(false);
    const result = await change({ currentPassword, newPassword });
    if (result.error) {
      form.applyError(result.error);
    } else {
      setDone(true);
      form.reset();
      onChanged?.();
    }
  });
  return (
    <Card variant="outlined">
      <CardContent>
        <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Change password">
          <Typography variant="h6" component="h2">
            Password
          </Typography>
          {done && <Alert severity="success">Your password is changed. Every other session was signed out.</Alert>}
          <ProblemAlert problem={form.problem} />
          <TextField {...form.text('currentPassword')} label="Current password" type="password" autoComplete="current-password" required fullWidth />
          <TextField {...form.text('newPassword')} label="New password" type="password" autoComplete="new-password" required fullWidth />
          <PasswordStrengthMeter password={form.values.newPassword} {...(email !== undefined && { email })} />
          <TextField {...form.text('confirmPassword')} label="Repeat the new password" type="password" autoComplete="new-password" required fullWidth />
          <Button type="submit" variant="contained" disabled={isLoading} sx={{ alignSelf: 'flex-start' }}>
            {isLoading ? 'Saving…' : 'Change password'}
          </Button>
        </Stack>
      </CardContent>
    </Card>
  );
}

function TwoFactor({ profile }: { profile: Profile }) {
  const [codes, setCodes] = useState<string[] | null>(null);
  return (
    <Card variant="outlined">
      <CardContent>
        <Stack spacing={2}>
          <Typography variant="h6" component="h2">
            Two-factor authentication
          </Typography>
          {codes && <RecoveryCodesList codes={codes} />}
          {profile.twoFactorEnabled ? (
            <>
              <Typography color="text.secondary">On: signing in asks for a code from your authenticator app.</Typography>
              <RegenerateCodes onCodes={setCodes} />
              <DisableTwoFactor onDisabled={() => setCodes(null)} />
            </>
          ) : (
            <EnrolTwoFactor onCodes={setCodes} />
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}

function EnrolTwoFactor({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const [setup, setupState] = useSetupTwoFactorMutation();
  const [enable, { isLoading }] = useEnableTwoFactorMutation();
  const session = useSession();
  const [enrolment, setEnrolment] = useState<TwoFactorSetup | null>(null);
  const form = useForm({ code: '' }, { validate: (v) => ({ code: codeError(v.code) }) });

  async function start() {
    const result = await setup();
    if (result.data) {
      setEnrolment(result.data);
    }
  }

  const submit = form.handleSubmit(async ({ code }) => {
    const result = await enable({ code: code.replace(/ /g, '') });
    if (result.error) {
      form.applyError(result.error);
    } else {
      onCodes(result.data.recoveryCodes);
      setEnrolment(null);
      // The session's next token counts the code just given as a second factor: the staff pages open now.
      void session.refresh();
    }
  });

  if (!enrolment) {
    return (
      <Stack spacing={1} sx={{ alignItems: 'flex-start' }}>
        <Typography color="text.secondary">Off. Protect your account with an authenticator app (TOTP).</Typography>
        <ProblemAlert problem={setupState.error} />
        <Button variant="contained" onClick={() => void start()} disabled={setupState.isLoading}>
          {setupState.isLoading ? 'Preparing…' : 'Set up two-factor authentication'}
        </Button>
      </Stack>
    );
  }
  return (
    <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Enable two-factor authentication">
      <Typography>1. Scan this QR code with your authenticator app, or enter the key by hand.</Typography>
      <Box component="img" src={enrolment.qrCodeDataUri} alt="QR code for your authenticator app" sx={{ width: 200, height: 200, bgcolor: '#fff', p: 1, borderRadius: 1 }} />
      <Typography variant="body2">
        Key: <Box component="code" sx={{ wordBreak: 'break-all' }}>{enrolment.secret}</Box>
      </Typography>
      <Typography>2. Enter the 6-digit code the app shows.</Typography>
      <ProblemAlert problem={form.problem} />
      <TextField {...form.text('code')} label="Authentication code" autoComplete="one-time-code" inputMode="numeric" required sx={{ maxWidth: 260 }} />
      <Stack direction="row" spacing={1}>
        <Button type="submit" variant="contained" disabled={isLoading}>
          {isLoading ? 'Enabling…' : 'Enable'}
        </Button>
        <Button onClick={() => setEnrolment(null)}>Cancel</Button>
      </Stack>
    </Stack>
  );
}

function RegenerateCodes({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const [regenerate, { isLoading }] = useRegenerateRecoveryCodesMutation();
  const form = useForm({ code: '' }, { validate: (v) => ({ code: codeError(v.code) }) });
  const submit = form.handleSubmit(async ({ code }) => {
    const result = await regenerate({ code: code.replace(/ /g, '') });
    if (result.error) {
      form.applyError(result.error);
    } else {
      onCodes(result.data.recoveryCodes);
      form.reset();
    }
  });
  return (
    <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="New recovery codes">
      <Typography variant="subtitle1" component="h3">
        New recovery codes
      </Typography>
      <ProblemAlert problem={form.problem} />
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'flex-start' } }}>
        <TextField {...form.text('code')} label="Authentication code" autoComplete="one-time-code" inputMode="numeric" size="small" />
        <Button type="submit" variant="outlined" disabled={isLoading}>
          {isLoading ? 'Generating…' : 'Replace recovery codes'}
        </Button>
      </Stack>
    </Stack>
  );
}

function DisableTwoFactor({ onDisabled }: { onDisabled: () => void }) {
  const [disable, { isLoading }] = useDisableTwoFactorMutation();
  const form = useForm(
    { password: '', code: '' },
    { validate: (v) => ({ password: requiredError(v.password, 'Enter your password.'), code: codeError(v.code) }) },
  );
  const submit = form.handleSubmit(async ({ password, code }) => {
    const result = await disable({ password, code: code.replace(/ /g, '') });
    if (result.error) {
      form.applyError(result.error);
    } else {
      onDisabled();
    }
  });
  return (
    <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Turn off two-factor authentication">
      <Typography variant="subtitle1" component="h3">
        Turn off
      </Typography>
      <ProblemAlert problem={form.problem} />
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'flex-start' } }}>
        <TextField {...form.text('password')} label="Password" type="password" autoComplete="current-password" size="small" />
        <TextField {...form.text('code')} label="Authentication code" autoComplete="one-time-code" inputMode="numeric" size="small" />
        <Button type="submit" color="error" variant="outlined" disabled={isLoading}>
          {isLoading ? 'Turning off…' : 'Turn off 2FA'}
        </Button>
      </Stack>
    </Stack>
  );
}
