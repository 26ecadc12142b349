import Box from '@mui/material/Box';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import { Navigate, Outlet, useLocation } from 'react-router';
import { useAppSelector } from '../../app/hooks';
import { hasAnyRole, selectRoles, selectSessionStatus } from './authSlice';

/** Where a guard sent the user from, so sign-in can return there. */
export interface FromState {
  from?: string;
}

function Restoring() {
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, py: 4 }}>
      <CircularProgress size={28} aria-label="Restoring your session" />
      <Typography color="text.secondary">Restoring your session…</Typography>
    </Box>
  );
}

/** Signed-in users only (and, with `anyRole`, only those holding one of the roles). */
export function RequireAuth({ anyRole }: { anyRole?: string[] }) {
  const status = useAppSelector(selectSessionStatus);
  const userRoles = useAppSelector(selectRoles);
  const location = useLocation();
  if (status === 'restoring') {
    return <Restoring />;
  }
  if (status === 'signedOut') {
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search } satisfies FromState} />;
  }
  if (anyRole && !hasAnyRole(userRoles, ...anyRole)) {
    return (
      <Typography role="alert" color="error">
        Your account does not have access to this page.
      </Typography>
    );
  }
  return <Outlet />;
}

/** Sign-in and sign-up make no sense when signed in. */
export function GuestOnly() {
  const status = useAppSelector(selectSessionStatus);
  const location = useLocation();
  if (status === 'signedIn') {
    const from = (location.state as FromState | null)?.from;
    return <Navigate to={from ?? '/account'} replace />;
  }
  return <Outlet />;
}
