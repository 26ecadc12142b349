import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import type { SerializedError } from '@reduxjs/toolkit';
import type { ReactNode } from 'react';
import { Link as RouterLink } from 'react-router';
import { type ApiError, isApiError } from '../api/apiError';
import type { FormProblem } from './useForm';

export function describeError(error: ApiError | SerializedError): FormProblem {
  if (isApiError(error)) {
    return { title: error.title, ...(error.detail !== undefined && { detail: error.detail }) };
  }
  return { title: 'Something went wrong', ...(error.message !== undefined && { detail: error.message }) };
}

/** A failed call, in the API's own words (RFC 9457 title and detail); a staff page refused for want of 2FA leads to its set-up. */
export function ProblemAlert({ problem, action }: { problem: FormProblem | ApiError | SerializedError | null | undefined; action?: ReactNode }) {
  if (!problem) {
    return null;
  }
  const { title, detail } = 'status' in problem || !('title' in problem) ? describeError(problem as ApiError | SerializedError) : problem;
  const setUpTwoFactor = isApiError(problem) && problem.code === 'second_factor_required' && (
    <Button component={RouterLink} to="/account/security" color="inherit" size="small">
      Set up 2FA
    </Button>
  );
  return (
    // Retrying cannot help there: the way on is the set-up.
    <Alert severity="error" action={setUpTwoFactor || action}>
      <AlertTitle>{title}</AlertTitle>
      {detail}
    </Alert>
  );
}
