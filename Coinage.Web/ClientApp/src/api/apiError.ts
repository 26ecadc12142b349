import { isAxiosError } from 'axios';

/** An RFC 9457 problem details body, as every Coinage API error is written. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: Record<string, string[]>;
  /** Coinage's stable error code (`invalid_credentials`, `account_locked`, …), also the last segment of `type`. */
  code?: string;
}

/** What the UI shows for a failed call: a short title, an optional explanation, field errors if any. */
export interface ApiError {
  /** The HTTP status, or why there is none. */
  status: number | 'NETWORK_ERROR' | 'TIMEOUT' | 'CANCELLED';
  title: string;
  detail?: string;
  errors?: Record<string, string[]>;
  /** The API's stable error code, when it sent one. */
  code?: string;
}

// Said when a response carries no problem details (e.g. YARP's bare 502 while the API is down).
const statusTitles: Record<number, string> = {
  400: 'The request was not valid',
  401: 'You are not signed in',
  403: 'You are not allowed to do this',
  404: 'Not found',
  429: 'Too many requests',
  500: 'The server failed',
  502: 'The API is unreachable',
  503: 'The service is unavailable',
  504: 'The API did not answer in time',
};

function isProblemDetails(value: unknown): value is ProblemDetails {
  return typeof value === 'object' && value !== null && ('title' in value || 'detail' in value);
}

export function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && 'status' in value && 'title' in value;
}

/** Turns whatever Axios threw into an {@link ApiError}, preferring the API's own words. */
export function toApiError(error: unknown): ApiError {
  if (!isAxiosError(error)) {
    return { status: 'NETWORK_ERROR', title: 'Unexpected error', detail: error instanceof Error ? error.message : String(error) };
  }
  if (error.code === 'ERR_CANCELED') {
    return { status: 'CANCELLED', title: 'The request was cancelled' };
  }
  if (error.response) {
    const { status, data } = error.response;
    if (isProblemDetails(data)) {
      return {
        status,
        title: data.title ?? statusTitles[status] ?? `Request failed (${status})`,
        ...(data.detail !== undefined && { detail: data.detail }),
        ...(data.errors !== undefined && { errors: data.errors }),
        ...(typeof data.code === 'string' && { code: data.code }),
      };
    }
    return { status, title: statusTitles[status] ?? `Request failed (${status})` };
  }
  if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') {
    return { status: 'TIMEOUT', title: 'The request timed out', detail: 'The server took too long to answer. Try again.' };
  }
  return { status: 'NETWORK_ERROR', title: 'Network error', detail: 'Could not reach Coinage. Check your connection and try again.' };
}
