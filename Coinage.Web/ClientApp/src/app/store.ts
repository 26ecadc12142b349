import { combineSlices, configureStore, createListenerMiddleware, isAnyOf } from '@reduxjs/toolkit';
import { setupListeners } from '@reduxjs/toolkit/query';
import { apiClient } from '../api/client';
import { coinageApi } from '../api/coinageApi';
import { authSlice, signedOut } from '../features/auth/authSlice';
import { SessionManager } from '../features/auth/session';
import { StepUpPrompter } from '../features/auth/stepUp';
import { connectionSlice } from '../realtime/connectionSlice';
import { type HubConnectionFactory, RealtimeClient } from '../realtime/RealtimeClient';
import { createHubConnection } from '../realtime/signalr';
import { colorModeSlice, saveColorMode, setColorMode, toggleColorMode } from '../theme/colorModeSlice';

const rootReducer = combineSlices(coinageApi, colorModeSlice, authSlice, connectionSlice);

export type RootState = ReturnType<typeof rootReducer>;

// The HTTP client is one per page; the session interceptors follow the newest store (one per app, one per test).
let uninstallPrevious: (() => void) | null = null;
let uninstallPreviousStepUp: (() => void) | null = null;

/**
 * A new store per app (and per test), so no state leaks between them. Tests pass a fake
 * `hubConnectionFactory` to drive the market hub.
 */
export function makeStore(preloadedState?: Partial<RootState>, { hubConnectionFactory = createHubConnection }: { hubConnectionFactory?: HubConnectionFactory } = {}) {
  const session = new SessionManager(apiClient);
  const stepUp = new StepUpPrompter(apiClient);
  const listener = createListenerMiddleware();
  listener.startListening({
    matcher: isAnyOf(toggleColorMode, setColorMode),
    effect: (_action, api) => saveColorMode((api.getState() as RootState).colorMode.mode),
  });
  // Whatever one user's pages cached must not show to the next one on this tab.
  listener.startListening({
    actionCreator: signedOut,
    effect: (_action, api) => {
      if ((api.getOriginalState() as RootState).auth.status === 'signedIn') {
        api.dispatch(coinageApi.util.resetApiState());
      }
    },
  });

  const store = configureStore({
    reducer: rootReducer,
    ...(preloadedState !== undefined && { preloadedState }),
    middleware: (getDefaultMiddleware) =>
      getDefaultMiddleware().prepend(listener.middleware).concat(coinageApi.middleware),
  });
  session.attach(store);
  uninstallPrevious?.();
  uninstallPrevious = session.install();
  uninstallPreviousStepUp?.();
  uninstallPreviousStepUp = stepUp.install();
  // Lets queries opt into refetching when the tab regains focus or the network comes back.
  setupListeners(store.dispatch);
  // The hub closes the connections of a revoked session: a refresh then finds out and signs out with the notice.
  const realtime = new RealtimeClient(store, hubConnectionFactory, () => void session.refresh());
  return Object.assign(store, { session, realtime, stepUp });
}

export type AppStore = ReturnType<typeof makeStore>;
export type AppDispatch = AppStore['dispatch'];
