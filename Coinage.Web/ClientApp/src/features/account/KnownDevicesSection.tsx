import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { formatDate, QueryState } from '../../forms/QueryState';
import { useForgetDeviceMutation, useGetDevicesQuery } from './accountApi';

/** The devices the account signed in from: a sign-in from any other one is emailed. Forgetting one makes its next sign-in news again. */
export function KnownDevicesSection() {
  const { data, isLoading, error, refetch, isFetching } = useGetDevicesQuery();
  const [forget, forgetState] = useForgetDeviceMutation();
  const [message, setMessage] = useState<string | null>(null);

  async function forgetOne(id: string) {
    setMessage(null);
    const result = await forget(id);
    if (!result.error) {
      setMessage('The device is forgotten: its next sign-in will be emailed to you as new.');
    }
  }

  return (
    <Stack spacing={2} component="section" aria-labelledby="known-devices-title">
      <Typography variant="h6" component="h2" id="known-devices-title">
        Known devices
      </Typography>
      <Typography color="text.secondary">
        We email you when your account is signed in from a device not on this list. Forget one you no longer use or do not recognise (and sign out its
        session above).
      </Typography>
      {message && <Alert severity="success">{message}</Alert>}
      <ProblemAlert problem={forgetState.error} />
      {!data ? (
        <QueryState isLoading={isLoading} error={error} onRetry={() => void refetch()} label="devices" />
      ) : data.length === 0 ? (
        <Typography color="text.secondary">No known devices yet.</Typography>
      ) : (
        <Paper variant="outlined">
          <List aria-label="Known devices" aria-busy={isFetching}>
            {data.map((d) => (
              <ListItem
                key={d.id}
                divider
                secondaryAction={
                  <Button size="small" onClick={() => void forgetOne(d.id)} disabled={forgetState.isLoading} aria-label={`Forget ${d.label}`}>
                    Forget
                  </Button>
                }
                sx={{ pr: 12 }}
              >
                <ListItemText
                  primary={d.kind === 'browser' ? d.label : `${d.label} (program)`}
                  secondary={`${d.lastIpAddress ?? 'unknown IP'} · first seen ${formatDate(d.firstSeenAt)} · last sign-in ${formatDate(d.lastSeenAt)}`}
                />
              </ListItem>
            ))}
          </List>
        </Paper>
      )}
    </Stack>
  );
}
