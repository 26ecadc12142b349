import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import type { SerializedError } from '@reduxjs/toolkit';
import type { ApiError } from '../api/apiError';
import { ProblemAlert } from './ProblemAlert';

/** The loading and error states of a query, in one place for every list and page. */
export function QueryState({
  isLoading,
  error,
  onRetry,
  label,
}: {
  isLoading: boolean;
  error: ApiError | SerializedError | undefined;
  onRetry: () => void;
  label: string;
}) {
  if (isLoading) {
    return (
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, py: 3 }}>
        <CircularProgress size={24} aria-label={`Loading ${label}`} />
        <Typography color="text.secondary">Loading {label}…</Typography>
      </Box>
    );
  }
  if (error) {
    return (
      <ProblemAlert
        problem={error}
        action={
          <Button color="inherit" size="small" onClick={onRetry}>
            Retry
          </Button>
        }
      />
    );
  }
  return null;
}

export const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string | null | undefined): string {
  if (!iso) {
    return '—';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}
