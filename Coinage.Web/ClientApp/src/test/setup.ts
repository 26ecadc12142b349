import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { signedInHintCookie } from '../features/auth/session';

// Pages load lazily and answer through mocked HTTP: on a busy 2-core machine that can take over a second.
configure({ asyncUtilTimeout: 10_000 });

// As in a browser that signed in before: the app tries its silent refresh on load, which the tests mock to
// sign in (or refuse). A test of a first-time visitor removes the hint.
beforeEach(() => {
  document.cookie = `${signedInHintCookie}=1; path=/`;
});

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});
