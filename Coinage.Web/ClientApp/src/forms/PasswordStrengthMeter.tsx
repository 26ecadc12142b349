import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import { useEffect, useSyncExternalStore } from 'react';
import {
  estimatePassword,
  loadPasswordEstimator,
  passwordEstimatorReady,
  strengthLabels,
  subscribeToPasswordEstimator,
} from './passwordStrength';

const colors = ['error', 'error', 'warning', 'success', 'success'] as const;

/**
 * Loads the estimator when a page that chooses a password opens, and re-renders that page once it
 * is there (its form's checks then include the estimate).
 */
export function usePasswordEstimator(): boolean {
  useEffect(() => {
    void loadPasswordEstimator();
  }, []);
  return useSyncExternalStore(subscribeToPasswordEstimator, passwordEstimatorReady);
}

/** Updates on every keystroke with zxcvbn's score and its reasons; announced politely to screen readers. */
export function PasswordStrengthMeter({ password, email }: { password: string; email?: string }) {
  usePasswordEstimator();
  const strength = estimatePassword(password, email);
  const score = strength?.score ?? 0;
  const label = password.length === 0 ? 'not set' : strength ? strengthLabels[score] : 'checking…';
  return (
    <Box sx={{ mt: -1.5, mb: 1 }}>
      <LinearProgress
        variant="determinate"
        value={password.length === 0 || !strength ? 0 : ((score + 1) / 5) * 100}
        color={colors[score]}
        aria-label="Password strength"
        aria-valuetext={label}
        sx={{ height: 6, borderRadius: 3 }}
      />
      <Box aria-live="polite" data-testid="password-strength">
        <Typography variant="caption" color="text.secondary" component="p">
          Password strength: {label}
        </Typography>
        {strength?.warning && (
          <Typography variant="caption" color="error" component="p" data-testid="password-warning">
            {strength.warning}
          </Typography>
        )}
        {strength && strength.suggestions.length > 0 && (
          <Box component="ul" sx={{ m: 0, pl: 2.5 }} data-testid="password-suggestions">
            {strength.suggestions.map((suggestion) => (
              <Typography key={suggestion} component="li" variant="caption" color="text.secondary">
                {suggestion}
              </Typography>
            ))}
          </Box>
        )}
      </Box>
    </Box>
  );
}
