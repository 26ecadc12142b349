import { render, type RenderOptions } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { Provider } from 'react-redux';
import { AppThemeProvider } from '../app/AppThemeProvider';
import { type AppStore, makeStore } from '../app/store';

/** Renders with a fresh store and the app's theme, as main.tsx does. */
export function renderWithStore(ui: ReactElement, { store = makeStore(), ...options }: { store?: AppStore } & RenderOptions = {}) {
  function Wrapper({ children }: { children: ReactNode }) {
    return (
      <Provider store={store}>
        <AppThemeProvider>{children}</AppThemeProvider>
      </Provider>
    );
  }
  return { store, ...render(ui, { wrapper: Wrapper, ...options }) };
}
