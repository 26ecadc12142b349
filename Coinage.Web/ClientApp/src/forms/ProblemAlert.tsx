import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import type { SerializedError } from '@reduxjs/toolkit';
import type { ReactNode } from 'react';
import { type ApiError, isApiError } from '../api/apiError';
import type { FormProblem } from './useForm';

export function describeError(error: ApiError | SerializedError): FormProblem {
  if (isApiError(error)) {
    return { title: error.title, ...(error.detail !== undefined && { detail: error.detail }) };
  }
  return { title: 'Something went wrong', ...(error.message !== undefined && { detail: error.message }) };
}

/** A failed call, in the API's own words (RFC 9457 title and detail). */
export function ProblemAlert({ problem, action }: { problem: FormProblem | ApiError | SerializedError | null | undefined; action?: ReactNode }) {
  if (!problem) {
    return null;
  }
  const { title, detail } = 'status' in problem || !('title' in problem) ? describeError(problem as ApiError | SerializedError) : problem;
  return (
    <Alert severity="error" action={action}>
      <AlertTitle>{title}</AlertTitle>
      {detail}
    </Alert>
  );
}
