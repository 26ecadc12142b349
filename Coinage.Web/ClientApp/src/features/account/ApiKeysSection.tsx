import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { type FieldErrors, useForm } from '../../forms/useForm';
import { type ApiKey, type ApiKeyScope, type CreatedApiKey, useCreateApiKeyMutation, useGetApiKeysQuery, useRevokeApiKeyMutation } from './accountApi';

const expiries = [
  { value: 'never', label: 'Never', days: null },
  { value: '30', label: 'In 30 days', days: 30 },
  { value: '90', label: 'In 90 days', days: 90 },
  { value: '365', label: 'In a year', days: 365 },
] as const;

interface KeyForm extends Record<string, string | boolean> {
  name: string;
  read: boolean;
  trade: boolean;
  withdraw: boolean;
  ipAllowList: string;
  expiry: string;
}

const initial: KeyForm = { name: '', read: true, trade: true, withdraw: false, ipAllowList: '', expiry: 'never' };

/** Addresses or CIDR blocks, separated by commas, spaces or lines. */
export function parseAllowList(text: string): string[] {
  return text.split(/[\s,]+/).filter((entry) => entry.length > 0);
}

function validate(values: KeyForm): FieldErrors<KeyForm> {
  const errors: FieldErrors<KeyForm> = {};
  const name = values.name.trim();
  if (name === '') {
    errors.name = 'Name the key after the program that uses it.';
  } else if (name.length > 64) {
    errors.name = 'At most 64 characters.';
  }
  if (!values.read && !values.trade && !values.withdraw) {
    errors.read = 'Choose at least one permission.';
  }
  const entries = parseAllowList(values.ipAllowList);
  if (entries.length > 16) {
    errors.ipAllowList = 'At most 16 addresses or blocks.';
  } else if (entries.some((e) => !/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(e))) {
    errors.ipAllowList = 'Addresses or CIDR blocks only, e.g. 203.0.113.7 or 203.0.113.0/24.';
  }
  if (values.withdraw && entries.length === 0) {
    errors.ipAllowList = 'A key that can withdraw needs an IP allow-list.';
  }
  return errors;
}

const scopeLabels: Record<ApiKeyScope, string> = { read: 'Read', trade: 'Trade', withdraw: 'Withdraw' };

/**
 * Account → Security → API keys: keys for programs that sign their requests (docs/api-keys.md). Creating
 * and revoking need a fresh proof: the step-up dialog asks for it and the call goes on. The secret is shown
 * once, right after creation, with a copy button.
 */
export function ApiKeysSection() {
  const { data, isLoading, error, refetch, isFetching } = useGetApiKeysQuery();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <Card variant="outlined">
      <CardContent>
        <Stack spacing={2}>
          <Typography variant="h6" component="h2">
            API keys
          </Typography>
          <Typography color="text.secondary">
            A program trades for you with an API key, signing each request with the key's secret. Give each program its own key with only the
            permissions it needs; limit it to your servers' addresses, and revoke it when you stop using it.
          </Typography>
          {created && <NewSecret created={created} onDone={() => setCreated(null)} />}
          {message && <Alert severity="success">{message}</Alert>}
          <CreateKey
            onCreated={(key) => {
              setMessage(null);
              setCreated(key);
            }}
          />
          {!data ? (
            <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="your API keys" />
          ) : data.length === 0 ? (
            <Typography color="text.secondary">You have no API keys.</Typography>
          ) : (
            <List aria-label="Your API keys" aria-busy={isFetching} disablePadding>
              {data.map((k) => (
                <KeyItem
                  key={k.id}
                  apiKey={k}
                  onRevoked={(name) => {
                    setCreated((current) => (current?.id === k.id ? null : current));
                    setMessage(`API key “${name}” revoked: requests signed with it are refused from now on.`);
                  }}
                />
              ))}
            </List>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}

function NewSecret({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  }
  return (
    <Alert severity="warning" role="region" aria-label="New API key">
      <AlertTitle>Copy the secret of “{created.name}” now</AlertTitle>
      It is shown only this once; Coinage cannot show it again. Keep it where your program reads it, never in its code.
      <Box component="dl" sx={{ fontFamily: 'monospace', my: 1, '& dt': { fontWeight: 'bold' }, '& dd': { m: 0, mb: 1, wordBreak: 'break-all' } }}>
        <dt>Key</dt>
        <dd aria-label="Key id">{created.id}</dd>
        <dt>Secret</dt>
        <dd aria-label="Secret">{created.secret}</dd>
      </Box>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <Button size="small" variant="contained" onClick={() => void copy()}>
          Copy secret
        </Button>
        <Button size="small" onClick={onDone}>
          I have saved it
        </Button>
        {copied === 'copied' && <Typography variant="body2">Copied.</Typography>}
        {copied === 'failed' && <Typography variant="body2">The browser did not allow copying: select the secret and copy it.</Typography>}
      </Stack>
    </Alert>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const [create, state] = useCreateApiKeyMutation();
  const form = useForm(initial, {
    validate,
    aliases: { scopes: 'read', expiresAt: 'expiry' },
    hints: { ipAllowList: 'Optional: addresses or blocks, separated by commas. Empty: any address.' },
  });

  const submit = form.handleSubmit(async (values) => {
    const scopes = (['read', 'trade', 'withdraw'] as const).filter((s) => values[s]);
    const days = expiries.find((e) => e.value === values.expiry)?.days ?? null;
    const result = await create({
      name: values.name.trim(),
      scopes,
      ipAllowList: parseAllowList(values.ipAllowList),
      expiresAt: days === null ? null : new Date(Date.now() + days * 86_400_000).toISOString(),
    });
    if (result.error) {
      form.applyError(result.error);
      return;
    }
    form.reset();
    onCreated(result.data);
  });

  const scopeError = form.errorOf('read');
  return (
    <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Create an API key">
      <ProblemAlert problem={form.problem} />
      <TextField {...form.text('name')} label="Key name" placeholder="Market maker, tax export…" required size="small" slotProps={{ htmlInput: { maxLength: 64 } }} />
      <FormControl error={scopeError !== undefined} component="fieldset" variant="standard">
        <FormLabel component="legend">Permissions</FormLabel>
        <FormGroup row>
          {(['read', 'trade', 'withdraw'] as const).map((scope) => (
            <FormControlLabel
              key={scope}
              label={scopeLabels[scope]}
              control={<Checkbox checked={form.values[scope]} onChange={(e) => form.setValue(scope, e.target.checked)} name={scope} />}
            />
          ))}
        </FormGroup>
        <FormHelperText>
          {scopeError ?? 'Read: balances, orders, fills. Trade: place and cancel orders. Withdraw: only to your saved addresses, only from listed IPs.'}
        </FormHelperText>
      </FormControl>
      <TextField {...form.text('ipAllowList')} label="IP allow-list" placeholder="203.0.113.7, 198.51.100.0/24" size="small" />
      <TextField {...form.text('expiry')} select label="Expires" size="small" sx={{ maxWidth: 240 }}>
        {expiries.map((e) => (
          <MenuItem key={e.value} value={e.value}>
            {e.label}
          </MenuItem>
        ))}
      </TextField>
      <Box>
        <Button type="submit" variant="contained" disabled={state.isLoading}>
          Create API key
        </Button>
      </Box>
    </Stack>
  );
}

function KeyItem({ apiKey, onRevoked }: { apiKey: ApiKey; onRevoked: (name: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [revoke, state] = useRevokeApiKeyMutation();
  async function confirmRevoke() {
    const result = await revoke(apiKey.id);
    if (!result.error) {
      onRevoked(apiKey.name);
    }
  }
  const expired = apiKey.expiresAt !== null && new Date(apiKey.expiresAt).getTime() <= Date.now();
  const details = [
    apiKey.id,
    apiKey.scopes.map((s) => scopeLabels[s] ?? s).join(', '),
    apiKey.ipAllowList.length > 0 ? `from ${apiKey.ipAllowList.join(', ')}` : 'from any address',
    `created ${formatDate(apiKey.createdAt)}`,
    apiKey.lastUsedAt ? `last used ${formatDate(apiKey.lastUsedAt)}` : 'never used',
    apiKey.expiresAt ? `${expired ? 'expired' : 'expires'} ${formatDate(apiKey.expiresAt)}` : null,
  ]
    .filter((part) => part !== null)
    .join(' · ');
  return (
    <ListItem divider sx={{ display: 'block', px: 0 }}>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ justifyContent: 'space-between', alignItems: { sm: 'center' } }}>
        <ListItemText primary={apiKey.name} secondary={details} />
        {confirming ? (
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexShrink: 0 }}>
            <Typography variant="body2">Revoke this key?</Typography>
            <Button color="error" variant="contained" size="small" onClick={() => void confirmRevoke()} disabled={state.isLoading}>
              Revoke
            </Button>
            <Button size="small" onClick={() => setConfirming(false)}>
              Keep
            </Button>
          </Stack>
        ) : (
          <Button size="small" color="error" onClick={() => setConfirming(true)} aria-label={`Revoke ${apiKey.name}`} sx={{ flexShrink: 0 }}>
            Revoke
          </Button>
        )}
      </Stack>
      <ProblemAlert problem={state.error} />
    </ListItem>
  );
}
