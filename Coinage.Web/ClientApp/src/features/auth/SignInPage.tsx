import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { SerializedError } from '@reduxjs/toolkit';
import type { AuthenticationResponseJSON } from '@simplewebauthn/browser';
import { lazy, Suspense, useState } from 'react';
import { Link as RouterLink } from 'react-router';
import type { ApiError } from '../../api/apiError';
import { useAppDispatch, useAppSelector, useSession } from '../../app/hooks';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { codeError, emailError, type FormProblem, requiredError, useForm } from '../../forms/useForm';
import {
  useLoginMutation,
  useLoginTwoFactorMutation,
  usePasskeyLoginMutation,
  usePasskeySignInOptionsMutation,
  useTwoFactorPasskeyOptionsMutation,
} from './authApi';
import { noticeDismissed, selectSessionNotice } from './authSlice';
import { describePasskeyError, passkeysSupported, type RequestCeremony, requestPasskey } from './passkeys';
import type { TokenResponse, TwoFactorMethod } from './session';

interface Challenge {
  token: string;
  methods: TwoFactorMethod[];
}

// Loaded only when new terms are to be accepted: most sign-ins never need it.
const ConsentStep = lazy(() => import('../privacy/ConsentStep').then((m) => ({ default: m.ConsentStep })));

export function SignInPage() {
  const notice = useAppSelector(selectSessionNotice);
  const dispatch = useAppDispatch();
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  // A sign-in that still needs new terms accepted: held here until they are, then given to the session.
  const [pendingConsent, setPendingConsent] = useState<TokenResponse | null>(null);
  const session = useSession();

  return (
    <Stack spacing={2} sx={{ maxWidth: 480, mx: 'auto' }}>
      {notice && (
        <Alert severity="info" onClose={() => dispatch(noticeDismissed())}>
          {notice}
        </Alert>
      )}
      {pendingConsent?.accessToken && pendingConsent.consentRequired ? (
        <Suspense fallback={null}>
          <ConsentStep
            accessToken={pendingConsent.accessToken}
            documents={pendingConsent.consentRequired}
            onAccepted={() => session.accept(pendingConsent)}
            onDeclined={() => {
              setPendingConsent(null);
              setChallenge(null);
            }}
          />
        </Suspense>
      ) : challenge === null ? (
        <PasswordStep onChallenge={setChallenge} onConsentRequired={setPendingConsent} />
      ) : (
        <TwoFactorStep challengeToken={challenge.token} methods={challenge.methods} onRestart={() => setChallenge(null)} onConsentRequired={setPendingConsent} />
      )}
    </Stack>
  );
}

/**
 * Tokens go to the session; the GuestOnly guard then leaves this page for where the user was going.
 * A `consent_required` answer first goes to the consent step.
 */
function useAcceptTokens(onConsentRequired: (response: TokenResponse) => void) {
  const session = useSession();
  return (response: TokenResponse): boolean => {
    if (response.code === 'consent_required' && response.accessToken && response.consentRequired?.length) {
      onConsentRequired(response);
      return true;
    }
    return session.accept(response);
  };
}

function PasswordStep({
  onChallenge,
  onConsentRequired,
}: {
  onChallenge: (challenge: Challenge) => void;
  onConsentRequired: (response: TokenResponse) => void;
}) {
  const [login, { isLoading }] = useLoginMutation();
  const [passkeyOptions] = usePasskeySignInOptionsMutation();
  const [passkeyLogin] = usePasskeyLoginMutation();
  const accept = useAcceptTokens(onConsentRequired);
  const form = useForm(
    { email: '', password: '' },
    { validate: (v) => ({ email: emailError(v.email), password: requiredError(v.password, 'Enter your password.') }) },
  );

  const submit = form.handleSubmit(async (values) => {
    const result = await login({ email: values.email.trim(), password: values.password });
    if (result.error) {
      form.applyError(result.error);
      return;
    }
    if (result.data.twoFactorRequired && result.data.challengeToken) {
      onChallenge({ token: result.data.challengeToken, methods: result.data.twoFactorMethods ?? ['totp', 'recovery_code'] });
    } else if (!accept(result.data)) {
      form.setProblem({ title: 'Sign-in failed', detail: 'The server answered without a usable token.' });
    }
  });

  // No email, no password: the browser offers the passkeys it holds for this site, and the one chosen names the account.
  const passkey = usePasskeyStep(form, accept);
  const signInWithPasskey = () =>
    passkey.run(
      () => passkeyOptions(),
      (ceremonyId, credential) => passkeyLogin({ ceremonyId, credential }),
    );

  return (
    <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Sign in">
      <Typography variant="h5" component="h1" gutterBottom>
        Sign in
      </Typography>
      <ProblemAlert problem={form.problem} />
      <TextField {...form.text('email')} label="Email" type="email" autoComplete="username" required fullWidth autoFocus />
      <TextField {...form.text('password')} label="Password" type="password" autoComplete="current-password" required fullWidth />
      <Button type="submit" variant="contained" size="large" disabled={isLoading}>
        {isLoading ? 'Signing in…' : 'Sign in'}
      </Button>
      {passkeysSupported() && (
        <>
          <Divider>or</Divider>
          <Button variant="outlined" size="large" onClick={() => void signInWithPasskey()} disabled={passkey.busy || isLoading}>
            {passkey.busy ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
          </Button>
        </>
      )}
      <Stack direction={{ xs: 'column', sm: 'row' }} sx={{ justifyContent: 'space-between', pt: 1 }} spacing={1}>
        <Link component={RouterLink} to="/forgot-password">
          Forgot your password?
        </Link>
        <Link component={RouterLink} to="/sign-up">
          Create an account
        </Link>
      </Stack>
    </Stack>
  );
}

function TwoFactorStep({
  challengeToken,
  methods,
  onRestart,
  onConsentRequired,
}: {
  challengeToken: string;
  methods: TwoFactorMethod[];
  onRestart: () => void;
  onConsentRequired: (response: TokenResponse) => void;
}) {
  const [loginTwoFactor, { isLoading }] = useLoginTwoFactorMutation();
  const [passkeyOptions] = useTwoFactorPasskeyOptionsMutation();
  const accept = useAcceptTokens(onConsentRequired);
  const hasTotp = methods.includes('totp');
  const hasPasskey = methods.includes('passkey') && passkeysSupported();
  // Without an authenticator app, a code typed here can only be a recovery code.
  const [useRecovery, setUseRecovery] = useState(!hasTotp);
  const form = useForm({ code: '' }, { validate: (v) => ({ code: codeError(v.code) }), aliases: { recoveryCode: 'code' } });

  const submit = form.handleSubmit(async ({ code }) => {
    const compact = code.replace(/ /g, '');
    const result = await loginTwoFactor(useRecovery ? { challengeToken, recoveryCode: compact } : { challengeToken, code: compact });
    if (result.error) {
      form.applyError(result.error);
      return;
    }
    if (!accept(result.data)) {
      form.setProblem({ title: 'Sign-in failed', detail: 'The server answered without a usable token.' });
    }
  });

  const passkey = usePasskeyStep(form, accept);
  const verifyWithPasskey = () =>
    passkey.run(
      () => passkeyOptions({ challengeToken }),
      (ceremonyId, credential) => loginTwoFactor({ challengeToken, passkey: { ceremonyId, credential } }),
    );

  return (
    <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Two-factor authentication">
      <Typography variant="h5" component="h1" gutterBottom>
        Two-factor authentication
      </Typography>
      <Typography color="text.secondary">
        {useRecovery
          ? hasPasskey
            ? 'Use your passkey, or enter one of your unused recovery codes.'
            : 'Enter one of your unused recovery codes.'
          : hasPasskey
            ? 'Use your passkey, or enter the 6-digit code from your authenticator app.'
            : 'Enter the 6-digit code from your authenticator app.'}
      </Typography>
      <ProblemAlert
        problem={form.problem}
        action={
          <Button color="inherit" size="small" onClick={onRestart}>
            Start over
          </Button>
        }
      />
      {hasPasskey && (
        <>
          <Button variant="contained" size="large" onClick={() => void verifyWithPasskey()} disabled={passkey.busy || isLoading}>
            {passkey.busy ? 'Waiting for your passkey…' : 'Use a passkey'}
          </Button>
          <Divider>or</Divider>
        </>
      )}
      <TextField
        {...form.text('code')}
        label={useRecovery ? 'Recovery code' : 'Authentication code'}
        autoComplete="one-time-code"
        inputMode={useRecovery ? 'text' : 'numeric'}
        required
        fullWidth
        autoFocus={!hasPasskey}
      />
      <Button type="submit" variant={hasPasskey ? 'outlined' : 'contained'} size="large" disabled={isLoading || passkey.busy}>
        {isLoading ? 'Verifying…' : 'Verify'}
      </Button>
      <Stack direction={{ xs: 'column', sm: 'row' }} sx={{ justifyContent: 'space-between', pt: 1 }} spacing={1}>
        {hasTotp ? (
          <Link component="button" type="button" onClick={() => setUseRecovery((r) => !r)}>
            {useRecovery ? 'Use an authenticator code' : 'Use a recovery code'}
          </Link>
        ) : (
          <span />
        )}
        <Link component="button" type="button" onClick={onRestart}>
          Back to sign in
        </Link>
      </Stack>
    </Stack>
  );
}

/** What a mutation trigger answers: its data, or the API's error. */
type Answer<T> = { data: T; error?: undefined } | { data?: undefined; error: ApiError | SerializedError };

/**
 * One passkey sign-in step, shared by the sign-in without a password and the second factor: the API's options,
 * the browser's assertion, then the API's tokens; every refusal (the API's or the browser's) lands on the form.
 */
function usePasskeyStep(
  form: { applyError: (error: ApiError | SerializedError | undefined) => void; setProblem: (problem: FormProblem | null) => void },
  accept: (response: TokenResponse) => boolean,
) {
  const [busy, setBusy] = useState(false);
  async function run(
    options: () => Promise<Answer<RequestCeremony>>,
    complete: (ceremonyId: string, credential: AuthenticationResponseJSON) => Promise<Answer<TokenResponse>>,
  ) {
    form.setProblem(null);
    setBusy(true);
    try {
      const ceremony = await options();
      if (ceremony.error) {
        form.applyError(ceremony.error);
        return;
      }
      let credential;
      try {
        credential = await requestPasskey(ceremony.data);
      } catch (e) {
        form.setProblem(describePasskeyError(e));
        return;
      }
      const result = await complete(ceremony.data.ceremonyId, credential);
      if (result.error) {
        form.applyError(result.error);
      } else if (!accept(result.data)) {
        form.setProblem({ title: 'Sign-in failed', detail: 'The server answered without a usable token.' });
      }
    } finally {
      setBusy(false);
    }
  }
  return { busy, run };
}

