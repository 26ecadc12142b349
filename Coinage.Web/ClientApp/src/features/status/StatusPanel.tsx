import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { SerializedError } from '@reduxjs/toolkit';
import { type ApiError, isApiError } from '../../api/apiError';
import { type PlatformStatus, useGetStatusQuery } from './statusApi';

/** How often the panel asks again while it is on screen. */
export const statusPollingIntervalMs = 30_000;

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

function describeError(error: ApiError | SerializedError): { title: string; detail?: string } {
  if (isApiError(error)) {
    return { title: error.title, ...(error.detail !== undefined && { detail: error.detail }) };
  }
  return { title: 'Something went wrong', ...(error.message !== undefined && { detail: error.message }) };
}

export function StatusPanel() {
  const { data, error, isLoading, isFetching, refetch } = useGetStatusQuery(undefined, {
    pollingInterval: statusPollingIntervalMs,
    refetchOnFocus: true,
    refetchOnReconnect: true,
  });

  if (isLoading) {
    return (
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, py: 4 }}>
        <CircularProgress size={28} aria-label="Loading platform status" />
        <Typography color="text.secondary">Checking the platform…</Typography>
      </Box>
    );
  }

  const retry = (
    <Button color="inherit" size="small" onClick={() => void refetch()} disabled={isFetching}>
      Retry
    </Button>
  );

  if (error && !data) {
    const { title, detail } = describeError(error);
    return (
      <Alert severity="error" action={retry}>
        <AlertTitle>{title}</AlertTitle>
        {detail}
      </Alert>
    );
  }

  if (!data) {
    return null;
  }

  return (
    <Stack spacing={2}>
      {error && (
        // A later poll failed: keep the last good answer on screen, and say it is stale.
        <Alert severity="warning" action={retry}>
          <AlertTitle>{describeError(error).title}</AlertTitle>
          Showing the last status received.
        </Alert>
      )}
      <StatusCards status={data} />
      <Heartbeat status={data} />
    </Stack>
  );
}

/** A build's informational version with its commit cut to the 7 characters git shows: `1.2.0+9ff2e38`. */
export function shortVersion(version: string): string {
  return version.replace(/\+([0-9a-f]{7})[0-9a-f]{33}$/, '+$1');
}

function StatusCards({ status }: { status: PlatformStatus }) {
  const parts = [
    { label: 'API', value: 'ok', caption: status.version ? `${status.service} ${shortVersion(status.version)}` : status.service },
    { label: 'Database', value: status.database, caption: 'PostgreSQL' },
    { label: 'Redis', value: status.redis, caption: 'Cache and messaging' },
  ];
  return (
    <Box
      component="ul"
      aria-label="Platform status"
      sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: 'repeat(3, 1fr)' }, listStyle: 'none', m: 0, p: 0 }}
    >
      {parts.map((part) => (
        <Card component="li" key={part.label} variant="outlined" aria-label={`${part.label}: ${part.value}`}>
          <CardContent>
            <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', gap: 1 }}>
              <Typography variant="h6" component="h2">
                {part.label}
              </Typography>
              <Chip size="small" label={part.value} color={part.value === 'ok' ? 'success' : 'error'} />
            </Stack>
            <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
              {part.caption}
            </Typography>
          </CardContent>
        </Card>
      ))}
    </Box>
  );
}

function Heartbeat({ status }: { status: PlatformStatus }) {
  return (
    <Typography color="text.secondary">
      Last worker heartbeat:{' '}
      {status.lastHeartbeatAt ? (
        <time dateTime={status.lastHeartbeatAt}>{formatTimestamp(status.lastHeartbeatAt)}</time>
      ) : (
        'none yet'
      )}
      {status.serverTime && (
        <>
          {' · '}server time <time dateTime={status.serverTime}>{formatTimestamp(status.serverTime)}</time>
        </>
      )}
    </Typography>
  );
}
