import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { type FormEvent, useState, useSyncExternalStore } from 'react';
import { toApiError } from '../../api/apiError';
import { apiClient } from '../../api/client';
import { useAppStore } from '../../app/hooks';
import { type StepUpMethod, type StepUpPrompt, stepUpUrl } from './stepUp';

type Proof = 'code' | 'recoveryCode' | 'password';

const fieldOf: Record<string, Proof> = { totp: 'code', recovery_code: 'recoveryCode', password: 'password' };

/**
 * The step-up dialog: shown when a sensitive action answered `step_up_required` (features/auth/stepUp.ts),
 * it asks for the proof the API listed (a code from the authenticator or a recovery code when the user has
 * 2FA, the password when not), sends it to `POST /api/v1/account/step-up`, and lets the action go again.
 */
export function StepUpDialog() {
  const stepUp = useAppStore().stepUp;
  const prompt = useSyncExternalStore(stepUp.subscribe, stepUp.getSnapshot);
  return prompt ? <StepUpForm key={prompt.id} prompt={prompt} onDone={(proven) => stepUp.settle(proven)} /> : null;
}

function StepUpForm({ prompt, onDone }: { prompt: StepUpPrompt; onDone: (proven: boolean) => void }) {
  const proofs = prompt.methods.map((m: StepUpMethod) => fieldOf[m]).filter((p): p is Proof => p !== undefined);
  const [proof, setProof] = useState<Proof>(proofs[0] ?? 'password');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!value.trim()) {
      setError('This field is required.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await apiClient.post(stepUpUrl, { [proof]: proof === 'password' ? value : value.trim() });
      onDone(true);
    } catch (failure) {
      const problem = toApiError(failure);
      setError(problem.errors?.[proof]?.[0] ?? problem.detail ?? problem.title);
      setBusy(false);
    }
  }

  const labels: Record<Proof, { label: string; hint: string }> = {
    code: { label: 'Authentication code', hint: 'Enter the current code from your authenticator app.' },
    recoveryCode: { label: 'Recovery code', hint: 'Enter one of your recovery codes. Each works once.' },
    password: { label: 'Password', hint: 'Enter your password.' },
  };
  const other = proof === 'code' && proofs.includes('recoveryCode') ? 'recoveryCode' : proof === 'recoveryCode' && proofs.includes('code') ? 'code' : null;
  return (
    <Dialog open onClose={() => onDone(false)} aria-labelledby="step-up-title" fullWidth maxWidth="xs">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <DialogTitle id="step-up-title">Confirm it is you</DialogTitle>
        <DialogContent>
          <Stack spacing={2}>
            <DialogContentText>This action is protected. {labels[proof].hint} You will not be asked again for a few minutes.</DialogContentText>
            <TextField
              autoFocus
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
            {other && (
              <Link component="button" type="button" onClick={() => { setProof(other); setValue(''); setError(null); }} sx={{ alignSelf: 'flex-start' }}>
                {other === 'recoveryCode' ? 'Use a recovery code instead' : 'Use a code from the app instead'}
              </Link>
            )}
            {proofs.length === 0 && <Alert severity="warning">The server asked for a proof this page does not know.</Alert>}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => onDone(false)}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={busy}>
            {busy ? 'Checking…' : 'Confirm'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
