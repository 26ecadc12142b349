import { screen } from '@testing-library/react';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { renderApp } from '../../test/renderApp';

describe('email verification landing', () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(401, {});
  });

  afterEach(() => {
    http.restore();
  });

  it('sends the link\'s user id and token to the API once and says the address is verified', async () => {
    http.onPost('/api/v1/auth/verify-email').reply(204);

    renderApp('/verify-email?userId=0193a000-0000-7000-8000-000000000001&token=CfDJ8%2Babc%3D%3D');

    expect(await screen.findByRole('heading', { name: 'Email verified' })).toBeInTheDocument();
    const calls = http.history['post']!.filter((r) => r.url === '/api/v1/auth/verify-email');
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]!.data as string)).toEqual({ userId: '0193a000-0000-7000-8000-000000000001', token: 'CfDJ8+abc==' });
  });

  it('shows an expired link in the API\'s words and offers a new one', async () => {
    http.onPost('/api/v1/auth/verify-email').reply(400, { title: 'Invalid or expired link', detail: 'Request a new email.', code: 'invalid_token' });

    renderApp('/verify-email?userId=u&token=t');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Invalid or expired link');
    expect(alert).toHaveTextContent('Request a new email.');
    expect(screen.getByRole('button', { name: 'Send a new link' })).toBeInTheDocument();
  });
});
