import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router';
import { MarketsOverview } from './MarketsOverview';

/** The front door: what is traded here and at what price, and the way to an account. */
export function VisitorHome() {
  return (
    <Stack spacing={3}>
      <Stack spacing={1}>
        <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
          Trade digital assets on order-book markets
        </Typography>
        <Typography color="text.secondary">Live prices below. Open an account to deposit, trade and follow your portfolio.</Typography>
        <Stack direction="row" spacing={1} sx={{ pt: 1 }}>
          <Button variant="contained" component={RouterLink} to="/sign-up">
            Create an account
          </Button>
          <Button component={RouterLink} to="/sign-in">
            Sign in
          </Button>
        </Stack>
      </Stack>
      <Typography variant="h5" component="h2">
        Markets
      </Typography>
      <MarketsOverview />
    </Stack>
  );
}
