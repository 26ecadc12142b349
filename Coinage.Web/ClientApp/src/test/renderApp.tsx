import { Provider } from 'react-redux';
import { render } from '@testing-library/react';
import { App } from '../app/App';
import { makeStore } from '../app/store';

/** The whole app at `path`, as a browser that just opened it: same router, same session restore on load. */
export function renderApp(path: string, store = makeStore()) {
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
