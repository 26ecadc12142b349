import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { useGetSessionsQuery, useRevokeOtherSessionsMutation, useRevokeSessionMutation } from './accountApi';
import { KnownDevicesSection } from './KnownDevicesSection';
import { describeUserAgent } from './userAgent';

export function SessionsSection() {
  const { data, isLoading, error, refetch, isFetching } = useGetSessionsQuery();
  const [revoke, revokeState] = useRevokeSessionMutation();
  const [revokeOthers, othersState] = useRevokeOtherSessionsMutation();
  const [message, setMessage] = useState<string | null>(null);

  async function signOutOthers() {
    setMessage(null);
    const result = await revokeOthers();
    if (!result.error) {
      setMessage('Every other session is signed out.');
    }
  }

  async function revokeOne(id: string) {
    setMessage(null);
    const result = await revoke(id);
    if (!result.error) {
      setMessage('The session is signed out.');
    }
  }

  const others = data?.filter((s) => !s.current) ?? [];
  return (
    <Stack spacing={2}>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ justifyContent: 'space-between', alignItems: { sm: 'center' } }}>
        <Typography color="text.secondary">Devices signed in to your account. Sign out any you do not recognise.</Typography>
        <Button variant="outlined" color="error" onClick={() => void signOutOthers()} disabled={othersState.isLoading || others.length === 0}>
          {othersState.isLoading ? 'Signing out…' : 'Sign out everywhere else'}
        </Button>
      </Stack>
      {message && <Alert severity="success">{message}</Alert>}
      <ProblemAlert problem={othersState.error ?? revokeState.error} />
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="sessions" />
      ) : data.length === 0 ? (
        <Typography color="text.secondary">No active sessions.</Typography>
      ) : (
        <Paper variant="outlined">
          <List aria-label="Active sessions" aria-busy={isFetching}>
            {data.map((s) => {
              const device = describeUserAgent(s.device);
              // The place is the network the API saw the session at: no geolocation database, no guessing.
              const place = s.ipAddress ? `network ${s.ipAddress}` : 'unknown network';
              return (
                <ListItem
                  key={s.id}
                  divider
                  secondaryAction={
                    s.current ? (
                      <Chip label="This device" color="primary" size="small" />
                    ) : (
                      <Button size="small" onClick={() => void revokeOne(s.id)} disabled={revokeState.isLoading} aria-label={`Sign out ${device.label}`}>
                        Sign out
                      </Button>
                    )
                  }
                  sx={{ pr: 14 }}
                >
                  <ListItemText
                    primary={
                      <>
                        {device.label}
                        {device.kind && <Chip label={device.kind} size="small" variant="outlined" sx={{ ml: 1 }} />}
                      </>
                    }
                    secondary={`${place} · last seen ${formatDate(s.lastSeenAt)} · signed in ${formatDate(s.createdAt)}`}
                  />
                </ListItem>
              );
            })}
          </List>
        </Paper>
      )}
      <KnownDevicesSection />
    </Stack>
  );
}
