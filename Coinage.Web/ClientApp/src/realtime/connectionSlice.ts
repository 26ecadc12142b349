import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

/**
 * - `idle`: no page needs live data, so no socket is open;
 * - `connecting`: the first connect of this socket;
 * - `connected`: live;
 * - `reconnecting`: the socket dropped and is being re-established: what is on screen may be stale.
 */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Counts reconnects, so views can tell "live again" from "live since the start". */
  reconnects: number;
}

const initialState: ConnectionState = { status: 'idle', reconnects: 0 };

export const connectionSlice = createSlice({
  name: 'connection',
  initialState,
  reducers: {
    connectionChanged(state, action: PayloadAction<ConnectionStatus>) {
      if (action.payload === 'connected' && state.status === 'reconnecting') {
        state.reconnects += 1;
      }
      state.status = action.payload;
    },
  },
  selectors: {
    selectConnectionStatus: (state) => state.status,
    selectReconnects: (state) => state.reconnects,
  },
});

export const { connectionChanged } = connectionSlice.actions;
export const { selectConnectionStatus, selectReconnects } = connectionSlice.selectors;
