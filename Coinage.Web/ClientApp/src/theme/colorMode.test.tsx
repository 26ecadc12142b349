import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient } from '../api/client';
import { App } from '../app/App';
import { makeStore } from '../app/store';
import { renderWithStore } from '../test/renderWithStore';
import { colorModeStorageKey, readInitialColorMode } from './colorModeSlice';

describe('colour mode', () => {
  let http: MockAdapter;

  beforeEach(() => {
    http = new MockAdapter(apiClient);
    http.onGet('/api/v1/status').reply(200, { service: 'apiservice', database: 'ok', redis: 'ok', lastHeartbeatAt: null });
  });

  afterEach(() => {
    http.restore();
  });

  it('starts from the saved choice', () => {
    window.localStorage.setItem(colorModeStorageKey, 'dark');
    expect(makeStore().getState().colorMode.mode).toBe('dark');
  });

  it('ignores a saved value it does not know', () => {
    expect(readInitialColorMode({ getItem: () => 'sepia' })).toBe('light');
    expect(
      readInitialColorMode({
        getItem: () => {
          throw new Error('SecurityError');
        },
      }),
    ).toBe('light');
  });

  it('toggles from the app bar, applies the palette and remembers the choice', async () => {
    const user = userEvent.setup();
    const { store } = renderWithStore(<App />);

    expect(screen.getByText('Coinage')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Switch to dark mode' }));

    expect(store.getState().colorMode.mode).toBe('dark');
    expect(window.localStorage.getItem(colorModeStorageKey)).toBe('dark');
    expect(screen.getByRole('button', { name: 'Switch to light mode' })).toBeInTheDocument();
    // CssBaseline paints the body from the palette of the active mode.
    expect(getComputedStyle(document.body).backgroundColor).toBe('rgb(13, 17, 23)');

    await user.click(screen.getByRole('button', { name: 'Switch to light mode' }));
    expect(window.localStorage.getItem(colorModeStorageKey)).toBe('light');
  });
});
