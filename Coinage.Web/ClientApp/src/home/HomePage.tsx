import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { StatusPanel } from '../features/status/StatusPanel';

export function HomePage() {
  return (
    <Stack spacing={3}>
      <div>
        <Typography variant="h4" component="h1" gutterBottom sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
          Welcome to Coinage
        </Typography>
        <Typography color="text.secondary">
          Trade digital assets on order-book markets. Here is how the platform is doing right now.
        </Typography>
      </div>
      <StatusPanel />
    </Stack>
  );
}
