import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Divider from '@mui/material/Divider';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { type FormEvent, useState, useSyncExternalStore } from 'react';
import { toApiError } from '../../api/apiError';
import { apiClient } from '../../api/client';
import { useAppStore } from '../../app/hooks';
import type { FormProblem } from '../../forms/useForm';
import { describePasskeyError, passkeysSupported, type RequestCeremony, requestPasskey } from './passkeys';
import { type StepUpMethod, type StepUpPrompt, stepUpPasskeyOptionsUrl, stepUpUrl } from './stepUp';

/** The proofs typed into the form, by the field of the step-up request that carries them. */
type TypedProof = 'code' | 'recoveryCode' | 'password';

const fieldOf: Record<string, TypedProof> = { totp: 'code', recovery_code: 'recoveryCode', password: 'password' };

/**
 * The step-up dialog: shown when a sensitive action answered `step_up_required` (features/auth/stepUp.ts),
 * it asks for the proof the API listed (a passkey, a code from the authenticator or a recovery code when the
 * user has a second factor, the password when not), sends it to `POST /api/v1/account/step-up`, and lets
 * the action go again.
 */
export function StepUpDialog() {
  const stepUp = useAppStore().stepUp;
  const prompt = useSyncExternalStore(stepUp.subscribe, stepUp.getSnapshot);
  return prompt ? <StepUpForm key={prompt.id} prompt={prompt} onDone={(proven) => stepUp.settle(proven)} /> : null;
}

function StepUpForm({ prompt, onDone }: { prompt: StepUpPrompt; onDone: (proven: boolean) => void }) {
  const proofs = prompt.methods.map((m: StepUpMethod) => fieldOf[m]).filter((p): p is TypedProof => p !== undefined);
  const offersPasskey = prompt.methods.includes('passkey');
  const hasPasskey = offersPasskey && passkeysSupported();
  const [proof, setProof] = useState<TypedProof | null>(proofs[0] ?? null);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [passkeyProblem, setPasskeyProblem] = useState<FormProblem | null>(null);
  const [pending, setPending] = useState<'passkey' | 'typed' | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!proof) {
      return;
    }
    if (!value.trim()) {
      setError('This field is required.');
      return;
    }
    setPending('typed');
    setError(null);
    setPasskeyProblem(null);
    try {
      await apiClient.post(stepUpUrl, { [proof]: proof === 'password' ? value : value.trim() });
      onDone(true);
    } catch (failure) {
      const problem = toApiError(failure);
      setError(problem.errors?.[proof]?.[0] ?? problem.detail ?? problem.title);
      setPending(null);
    }
  }

  // A ceremony of its own (bound to this user and to step-up), the browser's passkey prompt, then the proof.
  async function proveWithPasskey() {
    setPending('passkey');
    setError(null);
    setPasskeyProblem(null);
    try {
      const { data: ceremony } = await apiClient.post<RequestCeremony>(stepUpPasskeyOptionsUrl);
      let credential;
      try {
        credential = await requestPasskey(ceremony);
      } catch (e) {
        setPasskeyProblem(describePasskeyError(e));
        setPending(null);
        return;
      }
      await apiClient.post(stepUpUrl, { passkey: { ceremonyId: ceremony.ceremonyId, credential } });
      onDone(true);
    } catch (failure) {
      const problem = toApiError(failure);
      const field = problem.errors?.['passkey']?.[0] ?? problem.errors?.['passkey.ceremonyId']?.[0];
      setPasskeyProblem(field ? { title: 'The passkey was not accepted', detail: field } : { title: problem.title, ...(problem.detail !== undefined && { detail: problem.detail }) });
      setPending(null);
    }
  }

  const labels: Record<TypedProof, { label: string; hint: string }> = {
    code: { label: 'Authentication code', hint: 'Enter the current code from your authenticator app.' },
    recoveryCode: { label: 'Recovery code', hint: 'Enter one of your recovery codes. Each works once.' },
    password: { label: 'Password', hint: 'Enter your password.' },
  };
  const hint = hasPasskey
    ? proof
      ? `Use one of your passkeys, or ${proof === 'code' ? 'enter the current code from your authenticator app' : 'enter one of your recovery codes (each works once)'}.`
      : 'Use one of your passkeys.'
    : proof
      ? labels[proof].hint
      : '';
  const other = proof === 'code' && proofs.includes('recoveryCode') ? 'recoveryCode' : proof === 'recoveryCode' && proofs.includes('code') ? 'code' : null;
  return (
    <Dialog open onClose={() => onDone(false)} aria-labelledby="step-up-title" fullWidth maxWidth="xs">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <DialogTitle id="step-up-title">Confirm it is you</DialogTitle>
        <DialogContent>
          <Stack spacing={2}>
            <DialogContentText>This action is protected. {hint} You will not be asked again for a few minutes.</DialogContentText>
            {hasPasskey && (
              <>
                <Button variant="contained" onClick={() => void proveWithPasskey()} disabled={pending !== null} autoFocus>
                  {pending === 'passkey' ? 'Waiting for your passkey…' : 'Use a passkey'}
                </Button>
                {passkeyProblem && (
                  <Alert severity="error">
                    <AlertTitle>{passkeyProblem.title}</AlertTitle>
                    {passkeyProblem.detail}
                  </Alert>
                )}
                {proof && <Divider>or</Divider>}
              </>
            )}
            {proof && (
              <TextField
                autoFocus={!hasPasskey}
                label={labels[proof].label}
                type={proof === 'password' ? 'password' : 'text'}
                autoComplete={proof === 'password' ? 'current-password' : 'one-time-code'}
                {...(proof === 'code' && { inputMode: 'numeric' as const })}
                value={value}
                onChange={(e) => setValue(e.target.value)}
                error={error !== null}
                helperText={error ?? ' '}
                required
                fullWidth
              />
            )}
            {proof && other && (
              <Link component="button" type="button" onClick={() => { setProof(other); setValue(''); setError(null); }} sx={{ alignSelf: 'flex-start' }}>
                {other === 'recoveryCode' ? 'Use a recovery code instead' : 'Use a code from the app instead'}
              </Link>
            )}
            {!proof && !hasPasskey && (
              <Alert severity="warning">
                {offersPasskey ? 'This browser cannot use passkeys: confirm on a device that can.' : 'The server asked for a proof this page does not know.'}
              </Alert>
            )}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => onDone(false)}>Cancel</Button>
          {proof && (
            <Button type="submit" variant={hasPasskey ? 'outlined' : 'contained'} disabled={pending !== null}>
              {pending === 'typed' ? 'Checking…' : 'Confirm'}
            </Button>
          )}
        </DialogActions>
      </form>
    </Dialog>
  );
}
