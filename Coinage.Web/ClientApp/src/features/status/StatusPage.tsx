import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { StatusPanel } from './StatusPanel';

/** `/status`, linked from the footer: how the platform's parts are doing right now. */
export function StatusPage() {
  return (
    <Stack spacing={3}>
      <div>
        <Typography variant="h4" component="h1" gutterBottom sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
          Platform status
        </Typography>
        <Typography color="text.secondary">The API, its database and Redis, and the last sign of life from the worker.</Typography>
      </div>
      <StatusPanel />
    </Stack>
  );
}
