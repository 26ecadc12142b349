import { AxiosError, AxiosHeaders, type AxiosResponse } from 'axios';
import { describe, expect, it } from 'vitest';
import { toApiError } from './apiError';

function responseError(status: number, data: unknown): AxiosError {
  const config = { headers: new AxiosHeaders() };
  const response: AxiosResponse = { status, statusText: '', data, headers: {}, config };
  return new AxiosError(`Request failed with status code ${status}`, 'ERR_BAD_RESPONSE', config, null, response);
}

describe('toApiError', () => {
  it('keeps the title, detail and field errors of problem details', () => {
    const error = toApiError(
      responseError(400, {
        title: 'One or more validation errors occurred.',
        detail: 'See errors.',
        errors: { quantity: ['Must be positive.'] },
      }),
    );
    expect(error).toEqual({
      status: 400,
      title: 'One or more validation errors occurred.',
      detail: 'See errors.',
      errors: { quantity: ['Must be positive.'] },
    });
  });

  it('falls back to a title for the status when the body is not problem details', () => {
    expect(toApiError(responseError(504, '<html>gateway</html>'))).toEqual({ status: 504, title: 'The API did not answer in time' });
    expect(toApiError(responseError(418, null))).toEqual({ status: 418, title: 'Request failed (418)' });
  });

  it('tells a timeout from a network failure', () => {
    expect(toApiError(new AxiosError('timeout of 15000ms exceeded', 'ECONNABORTED')).status).toBe('TIMEOUT');
    expect(toApiError(new AxiosError('Network Error', 'ERR_NETWORK'))).toMatchObject({ status: 'NETWORK_ERROR', title: 'Network error' });
  });

  it('wraps errors that did not come from Axios', () => {
    expect(toApiError(new TypeError('boom'))).toMatchObject({ title: 'Unexpected error', detail: 'boom' });
  });
});
