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
import { PasswordStrengthMeter } from '../../forms/PasswordStrengthMeter';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { newPasswordError } from '../../forms/passwordStrength';
import { emailError, useForm } from '../../forms/useForm';
import { AuthCard } from './AuthCard';
import { legalVersions, useRegisterMutation } from './authApi';
import { ResendVerification } from './ResendVerification';

export function SignUpPage() {
  const [register, { isLoading }] = useRegisterMutation();
  const [done, setDone] = useState<{ email: string; message: string } | null>(null);
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
    const result = await register({
      email: values.email.trim(),
      password: values.password,
      acceptTerms: values.acceptTerms,
      termsVersion: legalVersions.terms,
      privacyVersion: legalVersions.privacy,
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
            label={`I accept the terms of service (version ${legalVersions.terms}) and the privacy policy (version ${legalVersions.privacy}).`}
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
        <Button type="submit" variant="contained" size="large" disabled={isLoading}>
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
