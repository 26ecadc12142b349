import { combineSlices, configureStore, createListenerMiddleware, isAnyOf } from '@reduxjs/toolkit';
import { setupListeners } from '@reduxjs/toolkit/query';
import { coinageApi } from '../api/coinageApi';
import { colorModeSlice, saveColorMode, setColorMode, toggleColorMode } from '../theme/colorModeSlice';

const rootReducer = combineSlices(coinageApi, colorModeSlice);

export type RootState = ReturnType<typeof rootReducer>;

/** A new store per app (and per test), so no state leaks between them. */
export function makeStore(preloadedState?: Partial<RootState>) {
  const listener = createListenerMiddleware();
  listener.startListening({
    matcher: isAnyOf(toggleColorMode, setColorMode),
    effect: (_action, api) => saveColorMode((api.getState() as RootState).colorMode.mode),
  });

  const store = configureStore({
    reducer: rootReducer,
    ...(preloadedState !== undefined && { preloadedState }),
    middleware: (getDefaultMiddleware) =>
      getDefaultMiddleware().prepend(listener.middleware).concat(coinageApi.middleware),
  });
  // Lets queries opt into refetching when the tab regains focus or the network comes back.
  setupListeners(store.dispatch);
  return store;
}

export type AppStore = ReturnType<typeof makeStore>;
export type AppDispatch = AppStore['dispatch'];
