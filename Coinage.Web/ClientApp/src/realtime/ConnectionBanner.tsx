import Alert from '@mui/material/Alert';
import { useAppSelector } from '../app/hooks';
import { selectConnectionStatus } from './connectionSlice';

/** Live prices and orders on screen may be stale while the hub is away: say so until it is back. */
export function ConnectionBanner() {
  const status = useAppSelector(selectConnectionStatus);
  if (status !== 'reconnecting') return null;
  return (
    <Alert severity="warning" role="alert" square sx={{ justifyContent: 'center' }}>
      Connection lost — reconnecting…
    </Alert>
  );
}
