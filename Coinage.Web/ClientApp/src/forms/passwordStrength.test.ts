import { beforeAll, describe, expect, it } from 'vitest';
import { emailInputs, estimatePassword, loadPasswordEstimator, newPasswordError } from './passwordStrength';

// The same judgement as the API's PasswordRules (AuthFlowTests.The_password_policy_names_the_problem_and_scores_the_password).
describe('password strength (zxcvbn-ts)', () => {
  beforeAll(async () => {
    await loadPasswordEstimator();
  });

  it.each([
    ['qwertyuiop[]', 'Straight rows of keys on your keyboard are easy to guess.'],
    ['abcdefghijklmnop', 'Common character sequences like "abc" are easy to guess.'],
    ['aaaaaaaaaaaaaaaa', 'Repeated characters like "aaa" are easy to guess.'],
    ['password1234', 'This is similar to a commonly used password.'],
  ])('refuses %s and says why', (password, warning) => {
    const strength = estimatePassword(password);
    expect(strength?.score).toBeLessThan(3);
    expect(strength?.warning).toBe(warning);
    expect(strength?.suggestions.length).toBeGreaterThan(0);
    expect(newPasswordError(password)).toBe(`Too easy to guess. ${warning}`);
  });

  it('accepts a passphrase of uncommon words, with nothing to say', () => {
    expect(estimatePassword('correct horse battery staple 42')).toEqual({ score: 4, warning: null, suggestions: [] });
    expect(newPasswordError('correct horse battery staple 42')).toBeUndefined();
  });

  it('tries the email first, as the API does', () => {
    const email = 'zebrafish.quartz@example.test';
    expect(emailInputs(email)).toEqual([email, 'zebrafish.quartz', 'zebrafish', 'quartz']);
    const strength = estimatePassword('zebrafish.quartz!', email);
    expect(strength?.score).toBeLessThan(3);
    expect(newPasswordError('zebrafish.quartz!', email)).toMatch(/^Too easy to guess/);
    expect((estimatePassword('zebrafish.quartz!')?.score ?? 0)).toBeGreaterThan(strength?.score ?? 0);
  });

  it('keeps the length rules, before any estimate', () => {
    expect(newPasswordError('')).toBe('Choose a password.');
    expect(newPasswordError('abc')).toBe('At least 12 characters (3 so far).');
    expect(newPasswordError('x'.repeat(129))).toBe('At most 128 characters.');
  });
});
