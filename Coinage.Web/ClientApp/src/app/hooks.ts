import { useDispatch, useSelector, useStore } from 'react-redux';
import type { SessionManager } from '../features/auth/session';
import type { RealtimeClient } from '../realtime/RealtimeClient';
import type { AppDispatch, AppStore, RootState } from './store';

export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
export const useAppSelector = useSelector.withTypes<RootState>();
export const useAppStore = useStore.withTypes<AppStore>();

/** The market hub connection of the store in context (realtime/RealtimeClient). */
export function useRealtime(): RealtimeClient {
  return useAppStore().realtime;
}

/** The session of the store in context: sign-in, refresh, logout. */
export function useSession(): SessionManager {
  return useAppStore().session;
}
