import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { useForm } from '../../forms/useForm';
import { ResendVerification } from '../auth/ResendVerification';
import { type Profile, useGetProfileQuery, useSetAntiPhishingPhraseMutation } from './accountApi';

export function ProfileSection() {
  const { data, isLoading, error, refetch } = useGetProfileQuery();
  if (!data) {
    return <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="your profile" />;
  }
  return (
    <Stack spacing={3}>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="h6" component="h2" gutterBottom>
            Profile
          </Typography>
          <Stack component="dl" spacing={1} sx={{ m: 0, '& dt': { color: 'text.secondary', fontSize: '0.875rem' }, '& dd': { m: 0 } }}>
            <dt>Email</dt>
            <dd>
              {data.email}{' '}
              <Chip size="small" color={data.emailVerified ? 'success' : 'warning'} label={data.emailVerified ? 'verified' : 'not verified'} />
            </dd>
            <dt>Two-factor authentication</dt>
            <dd>{data.twoFactorEnabled ? 'On' : 'Off'}</dd>
            <dt>Roles</dt>
            <dd>{data.roles.join(', ') || '—'}</dd>
            <dt>Member since</dt>
            <dd>{formatDate(data.createdAt)}</dd>
          </Stack>
          {!data.emailVerified && (
            <Stack spacing={1} sx={{ mt: 2 }}>
              <Alert severity="warning">Verify your email address to trade and withdraw. Follow the link we emailed you.</Alert>
              <ResendVerification email={data.email} />
            </Stack>
          )}
        </CardContent>
      </Card>
      <AntiPhishingPhrase profile={data} />
    </Stack>
  );
}

const phrasePattern = /^[\p{L}\p{N} .,!-]*$/u;

function AntiPhishingPhrase({ profile }: { profile: Profile }) {
  const [save, { isLoading }] = useSetAntiPhishingPhraseMutation();
  const [saved, setSaved] = useState<string | null>(null);
  const form = useForm(
    { phrase: profile.antiPhishingPhrase ?? '' },
    {
      validate: (v) => ({
        phrase:
          v.phrase.trim().length > 64
            ? 'At most 64 characters.'
            : phrasePattern.test(v.phrase)
              ? undefined
              : 'Letters, digits, spaces and - . , ! only.',
      }),
      hints: { phrase: 'Every email from Coinage starts with this phrase. Leave empty to remove it.' },
    },
  );
  const submit = form.handleSubmit(async ({ phrase }) => {
    setSaved(null);
    const trimmed = phrase.trim();
    const result = await save({ phrase: trimmed === '' ? null : trimmed });
    if (result.error) {
      form.applyError(result.error);
    } else {
      setSaved(trimmed === '' ? 'The phrase is removed.' : 'The phrase is saved.');
    }
  });
  return (
    <Card variant="outlined">
      <CardContent>
        <Stack component="form" noValidate onSubmit={submit} spacing={1} aria-label="Anti-phishing phrase">
          <Typography variant="h6" component="h2">
            Anti-phishing phrase
          </Typography>
          <Typography color="text.secondary" variant="body2">
            A genuine email from us shows your phrase; a phishing email cannot.
          </Typography>
          {saved && <Alert severity="success">{saved}</Alert>}
          <ProblemAlert problem={form.problem} />
          <TextField {...form.text('phrase')} label="Phrase" fullWidth slotProps={{ htmlInput: { maxLength: 64 } }} />
          <Button type="submit" variant="contained" disabled={isLoading} sx={{ alignSelf: 'flex-start' }}>
            {isLoading ? 'Saving…' : 'Save phrase'}
          </Button>
        </Stack>
      </CardContent>
    </Card>
  );
}
