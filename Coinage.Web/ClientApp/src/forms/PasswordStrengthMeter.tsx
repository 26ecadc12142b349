import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import { passwordScore, strengthLabels } from './passwordStrength';

const colors = ['error', 'error', 'warning', 'success', 'success'] as const;

/** Updates on every keystroke; announced politely to screen readers. */
export function PasswordStrengthMeter({ password, email }: { password: string; email?: string }) {
  const score = passwordScore(password, email);
  const label = password.length === 0 ? 'not set' : strengthLabels[score];
  return (
    <Box sx={{ mt: -1.5, mb: 1 }}>
      <LinearProgress
        variant="determinate"
        value={password.length === 0 ? 0 : ((score + 1) / 5) * 100}
        color={colors[score]}
        aria-label="Password strength"
        aria-valuetext={label}
        sx={{ height: 6, borderRadius: 3 }}
      />
      <Typography variant="caption" color="text.secondary" aria-live="polite" data-testid="password-strength">
        Password strength: {label}
      </Typography>
    </Box>
  );
}
