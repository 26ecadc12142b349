import type { SerializedError } from '@reduxjs/toolkit';
import { type ChangeEvent, type FormEvent, useCallback, useId, useState } from 'react';
import { type ApiError, isApiError } from '../api/apiError';

type Values = Record<string, string | boolean>;
export type FieldErrors<T extends Values> = Partial<Record<keyof T & string, string>>;

export interface FormOptions<T extends Values> {
  /** Checks the values as the user types; a message per field that is not acceptable yet. */
  validate?: (values: T) => FieldErrors<T>;
  /** API error keys that belong to another field of this form (e.g. `termsVersion` → `acceptTerms`). */
  aliases?: Record<string, keyof T & string>;
  /** Hints shown under a field while it has no error. */
  hints?: FieldErrors<T>;
}

/** Form-level messages: the problem's title/detail and field errors that match no field here. */
export interface FormProblem {
  title: string;
  detail?: string;
}

/**
 * State of one form: live validation (a field shows its error once the user has typed in it or left
 * it), the API's RFC 9457 `errors` on the matching fields, and values that survive a failed submit.
 */
export function useForm<T extends Values>(initial: T, options: FormOptions<T> = {}) {
  // Ids unique on the page: two forms with a field of the same name (API key and passkey "name", the recovery-codes and
  // turn-off forms' "code" on Account → Security) once shared an id, so one label named the other form's input.
  const formId = useId();
  const [values, setValues] = useState<T>(initial);
  const [touched, setTouched] = useState<Partial<Record<keyof T, boolean>>>({});
  const [serverErrors, setServerErrors] = useState<FieldErrors<T>>({});
  const [problem, setProblem] = useState<FormProblem | null>(null);

  const clientErrors: FieldErrors<T> = options.validate?.(values) ?? {};

  const setValue = useCallback(<K extends keyof T & string>(name: K, value: T[K]) => {
    setValues((current) => ({ ...current, [name]: value }));
    setTouched((current) => ({ ...current, [name]: true }));
    // The API's verdict was about the old value.
    setServerErrors((current) => {
      if (!(name in current)) {
        return current;
      }
      const next = { ...current };
      delete next[name];
      return next;
    });
  }, []);

  function errorOf(name: keyof T & string): string | undefined {
    return serverErrors[name] ?? (touched[name] ? clientErrors[name] : undefined);
  }

  /** Props for a MUI TextField bound to a text value. */
  function text(name: keyof T & string) {
    const error = errorOf(name);
    return {
      name,
      id: `field-${name}${formId}`,
      value: values[name] as string,
      onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setValue(name, event.target.value as T[typeof name]),
      onBlur: () => setTouched((current) => ({ ...current, [name]: true })),
      error: error !== undefined,
      helperText: error ?? options.hints?.[name] ?? ' ',
    };
  }

  /** Takes a failed call: field errors go to their fields, the rest to the form's alert. */
  function applyError(error: ApiError | SerializedError | undefined) {
    if (!error) {
      return;
    }
    if (!isApiError(error)) {
      setProblem({ title: 'Something went wrong', ...(error.message !== undefined && { detail: error.message }) });
      return;
    }
    const fields: FieldErrors<T> = {};
    const unmatched: string[] = [];
    for (const [key, messages] of Object.entries(error.errors ?? {})) {
      const name = options.aliases?.[key] ?? (key in values ? (key as keyof T & string) : undefined);
      const message = messages.join(' ');
      if (name) {
        fields[name] = fields[name] ? `${fields[name]} ${message}` : message;
      } else {
        unmatched.push(message);
      }
    }
    setServerErrors(fields);
    if (Object.keys(fields).length > 0 && unmatched.length === 0) {
      setProblem(null);
    } else {
      const detail = unmatched.length > 0 ? unmatched.join(' ') : error.detail;
      setProblem({ title: error.title, ...(detail !== undefined && { detail }) });
    }
  }

  /** Validates everything (showing every error) and calls `submit` only when the form is acceptable. */
  function handleSubmit(submit: (values: T) => void | Promise<void>) {
    return (event: FormEvent) => {
      event.preventDefault();
      setTouched(Object.fromEntries(Object.keys(values).map((k) => [k, true])) as Partial<Record<keyof T, boolean>>);
      if (Object.values(options.validate?.(values) ?? {}).some((message) => message !== undefined)) {
        return;
      }
      setProblem(null);
      setServerErrors({});
      void submit(values);
    };
  }

  /** Back to the initial values, e.g. after a password was saved (never after a failure). */
  function reset() {
    setValues(initial);
    setTouched({});
    setServerErrors({});
    setProblem(null);
  }

  return { values, setValue, text, errorOf, applyError, handleSubmit, problem, setProblem, reset };
}

/** The usual email check, as loose as the API's: the verification email is the real test. */
export function emailError(email: string): string | undefined {
  const trimmed = email.trim();
  if (trimmed === '') {
    return 'Enter your email address.';
  }
  return /^[^@\s"'<>;()\\,]+@[^@\s"'<>;()\\,]+\.[^@\s"'<>;()\\,]+$/.test(trimmed) ? undefined : 'Not a valid email address.';
}

export function requiredError(value: string, message = 'This field is required.'): string | undefined {
  return value.trim() === '' ? message : undefined;
}

/** TOTP (6 digits) or a recovery code, as the API accepts them: 6–32 letters, digits or dashes. */
export function codeError(value: string): string | undefined {
  const compact = value.replace(/ /g, '');
  if (compact === '') {
    return 'Enter the code.';
  }
  return /^[A-Za-z0-9-]{6,32}$/.test(compact) ? undefined : 'Not a valid code.';
}
