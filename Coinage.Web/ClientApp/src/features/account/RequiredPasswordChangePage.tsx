import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useSession } from '../../app/hooks';
import { useGetProfileQuery } from './accountApi';
import { ChangePassword } from './SecuritySection';

/**
 * What a signed-in user whose password was set for them (the bootstrap administrator) sees, whatever
 * page they asked for: the API answers nothing else until the password is their own. Once changed,
 * the session refreshes, its new token no longer says `pwd_change`, and the page they asked for opens.
 */
export function RequiredPasswordChangePage() {
  const session = useSession();
  const { data } = useGetProfileQuery();
  return (
    <Stack spacing={3} sx={{ maxWidth: 560 }}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: '1.75rem', sm: '2.125rem' } }}>
        Choose your own password
      </Typography>
      <Alert severity="info">
        This account&apos;s password was generated when the platform was set up. Replace it with one only you know before
        going on. Staff roles also need two-factor authentication: you will set it up next, under Account → Security.
      </Alert>
      <ChangePassword email={data?.email} onChanged={() => void session.refresh()} />
      <Button variant="text" onClick={() => void session.logout()} sx={{ alignSelf: 'flex-start' }}>
        Sign out
      </Button>
    </Stack>
  );
}
