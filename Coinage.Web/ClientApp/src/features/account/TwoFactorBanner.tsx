import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import { useState } from 'react';
import { Link as RouterLink, useLocation } from 'react-router';
import { useAppSelector } from '../../app/hooks';
import { selectSessionStatus } from '../auth/authSlice';
import { useGetProfileQuery } from './accountApi';

/** Dismissed for this browser session only: the prompt comes back at the next sign-in until 2FA is on. */
export const dismissedStorageKey = 'coinage.twoFactorPromptDismissed';

function wasDismissed(): boolean {
  try {
    return window.sessionStorage.getItem(dismissedStorageKey) === '1';
  } catch {
    return false;
  }
}

/**
 * Across every page, a signed-in trader without a second factor is asked to turn one on: a password alone is what
 * account takeovers exploit, and on an exchange the stake is the funds. Not shown on the security page itself,
 * where the setup is.
 */
export function TwoFactorBanner() {
  const status = useAppSelector(selectSessionStatus);
  const { pathname } = useLocation();
  const profile = useGetProfileQuery(undefined, { skip: status !== 'signedIn' });
  const [dismissed, setDismissed] = useState(wasDismissed);

  if (status !== 'signedIn' || !profile.data || profile.data.twoFactorEnabled || dismissed || pathname === '/account/security') {
    return null;
  }
  function dismiss() {
    setDismissed(true);
    try {
      window.sessionStorage.setItem(dismissedStorageKey, '1');
    } catch {
      // Privacy mode: dismissed until the page reloads.
    }
  }
  return (
    <Alert
      severity="info"
      square
      role="region"
      aria-label="Two-factor authentication"
      onClose={dismiss}
      closeText="Not now"
    >
      Protect your account and funds with two-factor authentication: a code from your phone on top of your password.{' '}
      <Button component={RouterLink} to="/account/security" size="small" variant="outlined" sx={{ ml: 1 }}>
        Turn on 2FA
      </Button>
    </Alert>
  );
}
