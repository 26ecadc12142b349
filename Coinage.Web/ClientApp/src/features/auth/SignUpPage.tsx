import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { Link as RouterLink } from 'react-router';
import { PasswordStrengthMeter, usePasswordEstimator } from '../../forms/PasswordStrengthMeter';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { newPasswordError } from '../../forms/passwordStrength';
import { emailError, useForm } from '../../forms/useForm';
import { AuthCard } from './AuthCard';
import { useLegalDocumentsQuery, useRegisterMutation } from './authApi';
import { LegalDocumentLink } from './LegalDocumentLink';
import { ResendVerification } from './ResendVerification';

export function SignUpPage() {
  const [register, { isLoading }] = useRegisterMutation();
  const legal = useLegalDocumentsQuery();
  const [done, setDone] = useState<{ email: string; message: string } | null>(null);
  // Re-renders once zxcvbn has loaded, so the checks below include its judgement.
  usePasswordEstimator();
  const form = useForm(
    { email: '', password: '', acceptTerms: false as boolean, marketingConsent: false as boolean },
    {
      validate: (v) => ({
        email: emailError(v.email),
        password: newPasswordError(v.password, v.email),
        acceptTerms: v.acceptTerms ? undefined : 'Accept the terms and the privacy policy to open an account.',
      }),
      // The versions are not a field the user edits: a stale version is a consent problem.
      aliases: { termsVersion: 'acceptTerms', privacyVersion: 'acceptTerms' },
      hints: { password: 'At least 12 characters. A few unrelated words make a strong password.' },
    },
  );

  const submit = form.handleSubmit(async (values) => {
    if (!legal.data) {
      return; // the button is disabled until the versions the user accepts are known
    }
    const result = await register({
      email: values.email.trim(),
      password: values.password,
      acceptTerms: values.acceptTerms,
      termsVersion: legal.data.termsVersion,
      privacyVersion: legal.data.privacyVersion,
      marketingConsent: values.marketingConsent,
    });
    if (result.error) {
      form.applyError(result.error);
    } else {
      setDone({ email: values.email.trim(), message: result.data.message });
    }
  });

  if (done) {
    return (
      <AuthCard title="Check your email">
        <Stack spacing={2}>
          <Alert severity="success">{done.message}</Alert>
          <Typography color="text.secondary">
            We sent the link to <strong>{done.email}</strong>. It works once and expires in 24 hours.
          </Typography>
          <ResendVerification email={done.email} />
          <Link component={RouterLink} to="/sign-in">
            Go to sign in
          </Link>
        </Stack>
      </AuthCard>
    );
  }

  const termsError = form.errorOf('acceptTerms');
  return (
    <AuthCard title="Create your account">
      <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Sign up">
        <ProblemAlert problem={form.problem} />
        {legal.isError && (
          <Alert severity="error" action={<Button onClick={() => void legal.refetch()}>Retry</Button>}>
            The terms could not be loaded, so an account cannot be opened right now.
          </Alert>
        )}
        <TextField {...form.text('email')} label="Email" type="email" autoComplete="email" required fullWidth autoFocus />
        <TextField {...form.text('password')} label="Password" type="password" autoComplete="new-password" required fullWidth />
        <PasswordStrengthMeter password={form.values.password} email={form.values.email} />
        <FormControl error={termsError !== undefined} required>
          <FormControlLabel
            control={
              <Checkbox
                name="acceptTerms"
                checked={form.values.acceptTerms}
                onChange={(e) => form.setValue('acceptTerms', e.target.checked)}
                slotProps={{ input: { 'aria-describedby': 'acceptTerms-helper' } }}
              />
            }
            label={
              <>
                I accept the <LegalDocumentLink url={legal.data?.termsUrl}>terms of service</LegalDocumentLink>
                {legal.data && ` (version ${legal.data.termsVersion})`} and the{' '}
                <LegalDocumentLink url={legal.data?.privacyUrl}>privacy policy</LegalDocumentLink>
                {legal.data && ` (version ${legal.data.privacyVersion})`}.
              </>
            }
          />
          <FormHelperText id="acceptTerms-helper">{termsError ?? ' '}</FormHelperText>
        </FormControl>
        <FormControlLabel
          control={
            <Checkbox
              name="marketingConsent"
              checked={form.values.marketingConsent}
              onChange={(e) => form.setValue('marketingConsent', e.target.checked)}
            />
          }
          label="Send me news and offers by email (optional)."
        />
        <Button type="submit" variant="contained" size="large" disabled={isLoading || !legal.data}>
          {isLoading ? 'Creating your account…' : 'Create account'}
        </Button>
        <Typography variant="body2" sx={{ pt: 1 }}>
          Already registered?{' '}
          <Link component={RouterLink} to="/sign-in">
            Sign in
          </Link>
        </Typography>
      </Stack>
    </AuthCard>
  );
}
