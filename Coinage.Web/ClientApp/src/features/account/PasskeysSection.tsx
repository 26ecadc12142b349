import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { type FieldErrors, useForm } from '../../forms/useForm';
import { createPasskey, describePasskeyError, passkeysSupported } from '../auth/passkeys';
import {
  type Passkey,
  useGetPasskeysQuery,
  usePasskeyRegistrationOptionsMutation,
  useRegisterPasskeyMutation,
  useRemovePasskeyMutation,
  useRenamePasskeyMutation,
} from './accountApi';
import { RecoveryCodesList } from './RecoveryCodesList';

const namePattern = /^[\p{L}\p{N} .,'()-]+$/u;

function nameErrors(name: string): FieldErrors<{ name: string }> {
  const trimmed = name.trim();
  if (trimmed.length === 0) {
    return { name: 'Give the passkey a name, such as the device it is on.' };
  }
  if (trimmed.length > 64) {
    return { name: 'At most 64 characters.' };
  }
  return namePattern.test(trimmed) ? {} : { name: "Letters, digits, spaces and - . , ' ( ) only." };
}

/** Account → Security → Passkeys: add (with a name), rename, remove, and see when each was last used. */
export function PasskeysSection() {
  const { data, isLoading, error, refetch, isFetching } = useGetPasskeysQuery();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <Card variant="outlined">
      <CardContent>
        <Stack spacing={2}>
          <Typography variant="h6" component="h2">
            Passkeys
          </Typography>
          <Typography color="text.secondary">
            A passkey signs you in with your device's fingerprint, face or screen lock, without a password, and counts as
            your second factor after a password. It works only on Coinage's own site, so a phishing page cannot use it.
          </Typography>
          {codes && <RecoveryCodesList codes={codes} />}
          {message && <Alert severity="success">{message}</Alert>}
          <AddPasskey
            onAdded={(name, recoveryCodes) => {
              setCodes(recoveryCodes);
              setMessage(`Passkey “${name}” added.`);
            }}
          />
          {!data ? (
            <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="your passkeys" />
          ) : data.length === 0 ? (
            <Typography color="text.secondary">You have no passkeys yet.</Typography>
          ) : (
            <List aria-label="Your passkeys" aria-busy={isFetching} disablePadding>
              {data.map((p) => (
                <PasskeyItem key={p.id} passkey={p} onChanged={setMessage} />
              ))}
            </List>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}

function AddPasskey({ onAdded }: { onAdded: (name: string, recoveryCodes: string[] | null) => void }) {
  const [start] = usePasskeyRegistrationOptionsMutation();
  const [register] = useRegisterPasskeyMutation();
  const [busy, setBusy] = useState(false);
  const form = useForm({ name: '' }, { validate: (v) => nameErrors(v.name) });

  const submit = form.handleSubmit(async ({ name }) => {
    setBusy(true);
    try {
      const ceremony = await start();
      if (ceremony.error) {
        form.applyError(ceremony.error);
        return;
      }
      let credential;
      try {
        credential = await createPasskey(ceremony.data);
      } catch (e) {
        form.setProblem(describePasskeyError(e));
        return;
      }
      const result = await register({ ceremonyId: ceremony.data.ceremonyId, name: name.trim(), credential });
      if (result.error) {
        form.applyError(result.error);
        return;
      }
      form.reset();
      onAdded(result.data.passkey.name, result.data.recoveryCodes);
    } finally {
      setBusy(false);
    }
  });

  if (!passkeysSupported()) {
    return <Alert severity="info">This browser cannot create passkeys.</Alert>;
  }
  return (
    <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Add a passkey">
      <ProblemAlert problem={form.problem} />
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'flex-start' } }}>
        <TextField {...form.text('name')} label="Passkey name" placeholder="Laptop, Phone…" required fullWidth size="small" slotProps={{ htmlInput: { maxLength: 64 } }} />
        <Button type="submit" variant="contained" disabled={busy} sx={{ flexShrink: 0 }}>
          {busy ? 'Waiting for your device…' : 'Add a passkey'}
        </Button>
      </Stack>
    </Stack>
  );
}

function PasskeyItem({ passkey, onChanged }: { passkey: Passkey; onChanged: (message: string) => void }) {
  const [mode, setMode] = useState<'view' | 'rename' | 'remove'>('view');
  const [rename, renameState] = useRenamePasskeyMutation();
  const [remove, removeState] = useRemovePasskeyMutation();
  const form = useForm({ name: passkey.name }, { validate: (v) => nameErrors(v.name) });

  const submitRename = form.handleSubmit(async ({ name }) => {
    const result = await rename({ id: passkey.id, name: name.trim() });
    if (result.error) {
      form.applyError(result.error);
      return;
    }
    setMode('view');
    onChanged(`Passkey renamed to “${result.data.name}”.`);
  });

  async function confirmRemove() {
    const result = await remove(passkey.id);
    if (!result.error) {
      onChanged(`Passkey “${passkey.name}” removed. It no longer signs in to your account.`);
    }
  }

  const details = `Added ${formatDate(passkey.createdAt)} · ${passkey.lastUsedAt ? `last used ${formatDate(passkey.lastUsedAt)}` : 'never used'}${passkey.backedUp ? ' · synced' : ''}`;
  return (
    <ListItem divider sx={{ display: 'block', px: 0 }}>
      {mode === 'rename' ? (
        <Stack component="form" noValidate onSubmit={submitRename} spacing={1} aria-label={`Rename ${passkey.name}`}>
          <ProblemAlert problem={form.problem} />
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'flex-start' } }}>
            <TextField {...form.text('name')} id={`passkey-name-${passkey.id}`} label="New name" required fullWidth size="small" autoFocus slotProps={{ htmlInput: { maxLength: 64 } }} />
            <Button type="submit" variant="contained" disabled={renameState.isLoading}>
              Save
            </Button>
            <Button onClick={() => setMode('view')}>Cancel</Button>
          </Stack>
        </Stack>
      ) : (
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ justifyContent: 'space-between', alignItems: { sm: 'center' } }}>
          <ListItemText primary={passkey.name} secondary={details} />
          {mode === 'remove' ? (
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexShrink: 0 }}>
              <Typography variant="body2">Remove this passkey?</Typography>
              <Button color="error" variant="contained" size="small" onClick={() => void confirmRemove()} disabled={removeState.isLoading}>
                Remove
              </Button>
              <Button size="small" onClick={() => setMode('view')}>
                Keep
              </Button>
            </Stack>
          ) : (
            <Stack direction="row" spacing={1} sx={{ flexShrink: 0 }}>
              <Button size="small" onClick={() => setMode('rename')} aria-label={`Rename ${passkey.name}`}>
                Rename
              </Button>
              <Button size="small" color="error" onClick={() => setMode('remove')} aria-label={`Remove ${passkey.name}`}>
                Remove
              </Button>
            </Stack>
          )}
        </Stack>
      )}
      <ProblemAlert problem={removeState.error} />
    </ListItem>
  );
}
