import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useRef } from 'react';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { externalNavigation, useIssueHangfireTicketMutation } from './opsApi';

/**
 * Where the Worker sends a browser that opens its Hangfire dashboard without a ticket (the ops
 * dashboard's "Jobs" link, a bookmark, an expired dashboard cookie). The access token lives in this
 * app's memory only, so the app asks the API for a single-use ticket and takes the Admin to the
 * dashboard with it; the Worker swaps it for its own cookie.
 */
export function HangfireSignInPage() {
  const [issue, { error, isLoading }] = useIssueHangfireTicketMutation();
  const open = useCallback(async () => {
    const ticket = await issue().unwrap();
    // Only ever a web address: the API builds it from the Worker's configured base URL.
    if (/^https?:\/\//i.test(ticket.url)) externalNavigation.assign(ticket.url);
  }, [issue]);
  // Once per visit: React's development double effect must not spend two tickets.
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    open().catch(() => undefined);
  }, [open]);

  return (
    <Stack spacing={2} sx={{ maxWidth: 560 }}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        Jobs dashboard
      </Typography>
      {error ? (
        <ProblemAlert
          problem={error}
          action={
            <Button color="inherit" size="small" onClick={() => void open().catch(() => undefined)} disabled={isLoading}>
              Try again
            </Button>
          }
        />
      ) : (
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }} role="status">
          <CircularProgress size={20} aria-hidden />
          <Typography>Opening the Hangfire dashboard…</Typography>
        </Stack>
      )}
    </Stack>
  );
}
