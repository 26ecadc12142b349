import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import { lazy } from 'react';
import { Navigate, Outlet, Link as RouterLink, useLocation } from 'react-router';
import { useAppSelector } from '../../app/hooks';
import { hasAnyRole, selectClaims, selectRoles, selectSessionStatus } from './authSlice';

const RequiredPasswordChangePage = lazy(() =>
  import('../account/RequiredPasswordChangePage').then((m) => ({ default: m.RequiredPasswordChangePage })),
);

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

/** Where a staff member without a second factor is sent, with why (the API would answer `second_factor_required`). */
export function SecondFactorRequired() {
  return (
    <Alert severity="warning" role="alert" action={<Button component={RouterLink} to="/account/security" color="inherit" size="small">Set up 2FA</Button>}>
      <AlertTitle>Two-factor authentication required</AlertTitle>
      Staff pages need a session signed in with a second factor. Turn on two-factor authentication under Account →
      Security and this session can use them at once; if it is already on, sign out and in again with a code.
    </Alert>
  );
}

/**
 * While the password must be replaced (the token says `pwd_change`), every page is the password change:
 * the API answers nothing else that needs a signed-in user (403 `password_change_required`).
 */
export function PasswordChangeGate() {
  const claims = useAppSelector(selectClaims);
  return claims?.passwordChangeRequired ? <RequiredPasswordChangePage /> : <Outlet />;
}

/**
 * Signed-in users only (and, with `anyRole`, only those holding one of the roles: the staff roles, which
 * also need a session signed in with a second factor).
 */
export function RequireAuth({ anyRole }: { anyRole?: string[] }) {
  const status = useAppSelector(selectSessionStatus);
  const userRoles = useAppSelector(selectRoles);
  const claims = useAppSelector(selectClaims);
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
  if (anyRole && !claims?.secondFactor) {
    return <SecondFactorRequired />;
  }
  return <Outlet />;
}

/** Sign-in and sign-up make no sense when signed in: the home page (the portfolio) or where the user was headed. */
export function GuestOnly() {
  const status = useAppSelector(selectSessionStatus);
  const location = useLocation();
  if (status === 'signedIn') {
    const from = (location.state as FromState | null)?.from;
    return <Navigate to={from ?? '/'} replace />;
  }
  return <Outlet />;
}
