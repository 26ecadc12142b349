import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/**
 * The API's password judgement, while the user types: zxcvbn (here zxcvbn-ts, with the common and
 * English dictionaries and keyboard layouts) must score at least 3 of 4, with the user's email among
 * the words it tries first (PasswordRules in the ApiService). The API has the final word; this shows
 * the same reasons, in the same words, before the form is sent.
 */
export const passwordMinimumLength = 12;
export const passwordMaximumLength = 128;
export const passwordMinimumScore = 3;

export const strengthLabels = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'] as const;

export interface PasswordStrength {
  score: 0 | 1 | 2 | 3 | 4;
  /** Why it is weak (null when it is not, or when zxcvbn has nothing specific to say). */
  warning: string | null;
  /** What would make it stronger. */
  suggestions: string[];
}

let estimator: ZxcvbnFactory | null = null;
let loading: Promise<ZxcvbnFactory> | null = null;
const listeners = new Set<() => void>();

/**
 * The dictionaries are large (a few hundred KiB compressed): loaded on the pages that choose a
 * password, never with the app. Resolves once; later calls share the first load.
 */
export function loadPasswordEstimator(): Promise<ZxcvbnFactory> {
  loading ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]).then(
    ([core, common, en]) => {
      estimator = new core.ZxcvbnFactory({
        translations: en.translations,
        graphs: common.adjacencyGraphs,
        dictionary: { ...common.dictionary, ...en.dictionary },
      });
      listeners.forEach((listener) => listener());
      return estimator;
    },
  );
  return loading;
}

/** For useSyncExternalStore: hears once, when the estimator has loaded. */
export function subscribeToPasswordEstimator(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function passwordEstimatorReady(): boolean {
  return estimator !== null;
}

/** The address and the words of its local part ("jane.doe+x@…" → jane, doe): what the API gives zxcvbn as user inputs. */
export function emailInputs(email: string | undefined): string[] {
  const trimmed = email?.trim().toLowerCase() ?? '';
  if (trimmed.length === 0) {
    return [];
  }
  const local = trimmed.split('@')[0] ?? '';
  return [...new Set([trimmed, local, ...local.split(/[.\-_+]/).filter((p) => p.length >= 3)])];
}

/** Null until the estimator has loaded (the length rules still apply meanwhile). */
export function estimatePassword(password: string, email?: string): PasswordStrength | null {
  if (!estimator || password.length === 0) {
    return password.length === 0 ? { score: 0, warning: null, suggestions: [] } : null;
  }
  const result = estimator.check(password.slice(0, passwordMaximumLength), emailInputs(email));
  const weak = result.score < passwordMinimumScore;
  return {
    score: result.score as PasswordStrength['score'],
    warning: weak ? (result.feedback.warning ?? null) : null,
    suggestions: weak ? result.feedback.suggestions : [],
  };
}

/** The problem the API would report first, so the field can say it while the user types. */
export function newPasswordError(password: string, email?: string): string | undefined {
  if (password.length === 0) {
    return 'Choose a password.';
  }
  if (password.length < passwordMinimumLength) {
    return `At least ${passwordMinimumLength} characters (${password.length} so far).`;
  }
  if (password.length > passwordMaximumLength) {
    return `At most ${passwordMaximumLength} characters.`;
  }
  const strength = estimatePassword(password, email);
  if (strength && strength.score < passwordMinimumScore) {
    return strength.warning ? `Too easy to guess. ${strength.warning}` : 'Too easy to guess.';
  }
  return undefined;
}
