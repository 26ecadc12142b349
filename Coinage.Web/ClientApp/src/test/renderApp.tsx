import { Provider } from 'react-redux';
import { render } from '@testing-library/react';
import { App } from '../app/App';
import { makeStore } from '../app/store';
import { fakeHubs } from './fakeHub';

/**
 * The whole app at `path`, as a browser that just opened it: same router, same session restore on load.
 * Unless the test brings its own store, the market hub is an in-memory one that answers nothing.
 */
export function renderApp(path: string, store = makeStore(undefined, { hubConnectionFactory: fakeHubs().factory })) {
  window.history.replaceState({}, '', path);
  return {
    store,
    ...render(
      <Provider store={store}>
        <App />
      </Provider>,
    ),
  };
}
