import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../../api/client';
import { loadPasswordEstimator } from '../../forms/passwordStrength';
import { renderApp } from '../../test/renderApp';

describe('sign-up form', () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onPost('/api/v1/auth/refresh').reply(401, { title: 'Invalid refresh token', code: 'invalid_refresh_token' });
    http.onGet('/api/v1/auth/legal').reply(200, { termsVersion: '2026-12-24', privacyVersion: '2026-12-01' });
  });

  afterEach(() => {
    http.restore();
  });

  async function openSignUp() {
    renderApp('/sign-up');
    const form = await screen.findByRole('form', { name: 'Sign up' });
    // The consent shows the versions the API says are current; they are what the form submits.
    await screen.findByRole('checkbox', {
      name: /terms of service( \(opens in a new tab\))? \(version 2026-12-24\) and the privacy policy( \(opens in a new tab\))? \(version 2026-12-01\)/,
    });
    return form;
  }

  it('rates the password on every keystroke with zxcvbn and says why it is weak while the user types', async () => {
    await loadPasswordEstimator();
    const user = userEvent.setup();
    await openSignUp();
    const password = screen.getByLabelText(/^Password/, { selector: 'input' });
    const strength = screen.getByTestId('password-strength');

    expect(strength).toHaveTextContent('Password strength: not set');
    await user.type(password, 'abc');
    expect(strength).toHaveTextContent('Password strength: Very weak');
    expect(password).toHaveAccessibleDescription('At least 12 characters (3 so far).');
    expect(password).toBeInvalid();

    // Twelve characters, and a keyboard walk: long enough, and refused for what it is.
    await user.clear(password);
    await user.type(password, 'qwertyuiop[[]'); // '[[' types one '['
    expect(strength).toHaveTextContent('Password strength: Weak');
    expect(strength).toHaveTextContent('Straight rows of keys on your keyboard are easy to guess.');
    expect(strength).toHaveTextContent('Use longer keyboard patterns and change typing direction multiple times.');
    expect(password).toHaveAccessibleDescription('Too easy to guess. Straight rows of keys on your keyboard are easy to guess.');
    expect(password).toBeInvalid();

    await user.clear(password);
    await user.type(password, 'correct horse Battery staple 9!');
    expect(strength).toHaveTextContent('Password strength: Strong');
    expect(screen.queryByTestId('password-warning')).not.toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Password strength' })).toHaveAttribute('aria-valuenow', '100');
    expect(password).toBeValid();
  });

  it('puts the field errors of a problem-details answer on their fields and keeps what was typed', async () => {
    http.onPost('/api/v1/auth/register').reply(
      400,
      {
        type: 'https://coinage.dev/problems/validation_failed',
        title: 'One or more validation errors occurred.',
        status: 400,
        code: 'validation_failed',
        passwordStrength: 1,
        errors: {
          email: ['Not a valid email address.'],
          password: ['The password is one of the most common passwords.'],
          termsVersion: ['The current terms are version 2027-01-01.'],
        },
      },
      { 'content-type': 'application/problem+json' },
    );
    const user = userEvent.setup();
    await openSignUp();
    const email = screen.getByLabelText(/^Email/, { selector: 'input' });
    const password = screen.getByLabelText(/^Password/, { selector: 'input' });
    const terms = screen.getByRole('checkbox', { name: /I accept the terms/ });

    await user.type(email, 'trader@example.com');
    await user.type(password, 'Sunny meadow 42 kites!');
    await user.click(terms);
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    await waitFor(() => expect(email).toHaveAccessibleDescription('Not a valid email address.'));
    expect(password).toHaveAccessibleDescription('The password is one of the most common passwords.');
    expect(terms).toHaveAccessibleDescription('The current terms are version 2027-01-01.');
    expect(email).toBeInvalid();
    expect(password).toBeInvalid();
    // Every field error found its field, so there is no leftover form-level alert.
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    // Nothing typed is lost.
    expect(email).toHaveValue('trader@example.com');
    expect(password).toHaveValue('Sunny meadow 42 kites!');
    expect(terms).toBeChecked();

    const sent = JSON.parse(http.history['post']!.find((r) => r.url === '/api/v1/auth/register')!.data as string) as Record<string, unknown>;
    expect(sent).toEqual({
      email: 'trader@example.com',
      password: 'Sunny meadow 42 kites!',
      acceptTerms: true,
      termsVersion: '2026-12-24',
      privacyVersion: '2026-12-01',
      marketingConsent: false,
    });

    // Editing a field clears the API's verdict on it, and only on it.
    await user.type(email, 'x');
    expect(email).not.toHaveAccessibleDescription('Not a valid email address.');
    expect(password).toHaveAccessibleDescription('The password is one of the most common passwords.');
  });

  it('does not call the API until the form is acceptable, and then shows the emailed-link step', async () => {
    http.onPost('/api/v1/auth/register').reply(202, { message: 'If the address can be registered, an email is on its way.', passwordStrength: 4 });
    const user = userEvent.setup();
    await openSignUp();

    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByLabelText(/^Email/, { selector: 'input' })).toHaveAccessibleDescription('Enter your email address.');
    expect(screen.getByRole('checkbox', { name: /I accept the terms/ })).toHaveAccessibleDescription(
      'Accept the terms and the privacy policy to open an account.',
    );
    expect(http.history['post']!.filter((r) => r.url === '/api/v1/auth/register')).toHaveLength(0);

    await user.type(screen.getByLabelText(/^Email/, { selector: 'input' }), 'trader@example.com');
    await user.type(screen.getByLabelText(/^Password/, { selector: 'input' }), 'correct horse Battery staple 9!');
    await user.click(screen.getByRole('checkbox', { name: /I accept the terms/ }));
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByRole('heading', { name: 'Check your email' })).toBeInTheDocument();
    expect(screen.getByText('If the address can be registered, an email is on its way.')).toBeInTheDocument();
  });

  function legalDocuments(answer: Record<string, string | null>) {
    // The first matching handler answers: replace the one of beforeEach.
    http.resetHandlers();
    http.onPost('/api/v1/auth/refresh').reply(401, { title: 'Invalid refresh token', code: 'invalid_refresh_token' });
    http.onGet('/api/v1/auth/legal').reply(200, answer);
  }

  it('links the terms and the privacy policy where they are accepted, in a new tab, when the API says where they are', async () => {
    legalDocuments({
      termsVersion: '2026-12-24',
      privacyVersion: '2026-12-01',
      termsUrl: 'https://coinage.example/legal/terms',
      privacyUrl: '/legal/privacy',
    });
    const form = await openSignUp();

    const terms = await within(form).findByRole('link', { name: 'terms of service (opens in a new tab)' });
    expect(terms).toHaveAttribute('href', 'https://coinage.example/legal/terms');
    expect(terms).toHaveAttribute('target', '_blank');
    expect(terms).toHaveAttribute('rel', 'noopener noreferrer');
    expect(within(form).getByRole('link', { name: 'privacy policy (opens in a new tab)' })).toHaveAttribute('href', '/legal/privacy');
  });

  it('names the documents without a link when none is configured, or when the address is not a web link', async () => {
    legalDocuments({ termsVersion: '2026-12-24', privacyVersion: '2026-12-01', termsUrl: null, privacyUrl: 'javascript:alert(1)' });
    const form = await openSignUp();
    expect(within(form).queryByRole('link', { name: /terms of service|privacy policy/ })).not.toBeInTheDocument();
  });
});
