import { useDispatch, useSelector, useStore } from 'react-redux';
import type { SessionManager } from '../features/auth/session';
import type { AppDispatch, AppStore, RootState } from './store';

export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
export const useAppSelector = useSelector.withTypes<RootState>();
export const useAppStore = useStore.withTypes<AppStore>();

/** The session of the store in context: sign-in, refresh, logout. */
export function useSession(): SessionManager {
  return useAppStore().session;
}
